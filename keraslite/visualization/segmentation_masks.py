"""``draw_segmentation_masks``: each class of an integer mask painted in its color over a batch
of images."""
from __future__ import annotations

import numpy as np

from keraslite.visualization.image_batches import check_data_format, image_batch


def default_palette(num_classes: int) -> list[list[int]]:
    """Distinct, fixed RGB colors for ``num_classes`` classes (matplotlib's tab20 cycle when
    available, else evenly spaced hues)."""
    try:
        from matplotlib import colormaps

        table = colormaps["tab20"].colors
        return [[int(255 * c) for c in table[i % len(table)]] for i in range(num_classes)]
    except ImportError:
        import colorsys

        return [[int(255 * c) for c in colorsys.hsv_to_rgb(i / max(num_classes, 1), 0.8, 0.9)]
                for i in range(num_classes)]


def draw_segmentation_masks(images, segmentation_masks, num_classes: int | None = None,
                            color_mapping: dict | None = None, alpha: float = 0.8,
                            blend: bool = True, ignore_index: int = -1,
                            data_format: str | None = None) -> np.ndarray:
    """Images with each pixel of class ``k`` painted ``color_mapping[k]``.

    With ``blend`` the paint is mixed in with weight ``alpha``, pixels equal to ``ignore_index``
    keep the image, and the result is uint8; without it the painted images are returned as
    float32. ``segmentation_masks`` is ``(batch, height, width, 1)`` of integers; classes
    ``>= num_classes`` (default: the largest class + 1) are not painted.
    """
    fn = "draw_segmentation_masks"
    data_format = check_data_format(fn, data_format)
    images = image_batch(fn, images, data_format).astype("float32")
    masks = image_batch(fn, segmentation_masks, data_format, name="segmentation_masks")
    if not np.issubdtype(masks.dtype, np.integer):
        raise TypeError(f"{fn}: `segmentation_masks` must hold integers. Received: "
                        f"segmentation_masks.dtype={masks.dtype}")
    if masks.shape[:3] != images.shape[:3] or masks.shape[3] != 1:
        raise ValueError(f"{fn}: `segmentation_masks` must be (batch, height, width, 1) for "
                         f"images of shape {images.shape}. Received: {masks.shape}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"{fn}: argument `alpha` must be in [0, 1]. Received: alpha={alpha}")
    masks = masks[..., 0]
    if num_classes is None:
        num_classes = int(masks.max()) + 1 if masks.size else 0
    if color_mapping is None:
        colors = default_palette(num_classes)
    else:
        missing = [k for k in range(num_classes) if k not in color_mapping]
        if missing:
            raise ValueError(f"{fn}: `color_mapping` has no color for classes {missing}.")
        colors = [color_mapping[k] for k in range(num_classes)]
    painted = images.copy()
    for k, color in enumerate(colors):
        painted[masks == k] = np.asarray(color, dtype="float32")
    if not blend:
        return painted
    mixed = images * (1 - alpha) + painted * alpha
    mixed = np.where((masks != ignore_index)[..., None], mixed, images)
    return mixed.astype("uint8")
