"""Galleries: a grid of images (with optional true/predicted labels), of images with boxes, and
of images beside their true and predicted segmentation masks. Drawn with matplotlib; with
``path`` the figure is written there (atomically) and closed."""
from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

from keraslite.visualization.bounding_boxes import draw_bounding_boxes
from keraslite.visualization.image_batches import (check_data_format, image_batch,
                                                   to_numpy)
from keraslite.visualization.segmentation_masks import draw_segmentation_masks


def _pyplot():
    try:
        import matplotlib
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError("keraslite.visualization galleries need matplotlib: "
                          "pip install matplotlib") from error
    return matplotlib, plt


def _to_uint8(images: np.ndarray, value_range) -> np.ndarray:
    low, high = value_range
    if high <= low:
        raise ValueError(f"argument `value_range` must be (low, high) with low < high. "
                         f"Received: value_range={value_range!r}")
    scaled = (images.astype("float64") - low) / (high - low) * 255.0
    return np.clip(scaled, 0, 255).astype("uint8")


def _grid(count: int, rows: int | None, cols: int | None) -> tuple[int, int]:
    if rows is None and cols is None:
        cols = math.ceil(math.sqrt(count))
    if rows is None:
        rows = math.ceil(count / cols)
    if cols is None:
        cols = math.ceil(count / rows)
    return rows, cols


def _finish(fig, path, show, transparent: bool, dpi: int) -> Any:
    _, plt = _pyplot()
    if path is not None:
        from keraslite.saving.atomic_io import atomic_write_bytes

        buffer = io.BytesIO()
        fig.savefig(buffer, format=str(path).rsplit(".", 1)[-1] if "." in str(path) else "png",
                    transparent=transparent, dpi=dpi, bbox_inches="tight")
        atomic_write_bytes(path, buffer.getvalue())
        plt.close(fig)
        return None
    if show:
        plt.show()
    return fig


def plot_image_gallery(images, y_true=None, y_pred=None, label_map: dict | None = None,
                       rows: int | None = None, cols: int | None = None,
                       value_range=(0, 255), scale: float = 2, path=None, show=None,
                       transparent: bool = True, dpi: int = 60, legend_handles=None,
                       data_format: str | None = None):
    """Shows (or writes to ``path``) ``images`` in a ``rows x cols`` grid, each titled with its
    true and predicted label when given (``label_map`` turns class ids into names).

    Returns the matplotlib figure, or None when it was written to ``path`` and closed.
    """
    fn = "plot_image_gallery"
    data_format = check_data_format(fn, data_format)
    images = _to_uint8(image_batch(fn, images, data_format), value_range)
    count = images.shape[0]
    rows, cols = _grid(count, rows, cols)
    if rows * cols < count:
        images = images[:rows * cols]
    _, plt = _pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(cols * scale, rows * scale), squeeze=False)
    true = None if y_true is None else to_numpy(y_true).reshape(count, -1)
    pred = None if y_pred is None else to_numpy(y_pred).reshape(count, -1)

    def name(values, i):
        value = values[i]
        value = int(np.argmax(value)) if value.size > 1 else value.item()
        return str(label_map.get(value, value)) if label_map else str(value)

    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(images):
            continue
        image = images[index]
        axis.imshow(image[..., 0] if image.shape[-1] == 1 else image,
                    cmap="gray" if image.shape[-1] == 1 else None)
        title = []
        if true is not None:
            title.append(f"Label: {name(true, index)}")
        if pred is not None:
            title.append(f"Pred: {name(pred, index)}")
        if title:
            axis.set_title("\n".join(title), fontsize=8)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    fig.tight_layout()
    return _finish(fig, path, show if show is not None else path is None and _interactive(),
                   transparent, dpi)


def _interactive() -> bool:
    matplotlib, _ = _pyplot()
    return matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo")


def plot_bounding_box_gallery(images, bounding_box_format: str, y_true=None, y_pred=None,
                              value_range=(0, 255), true_color=(0, 188, 212),
                              pred_color=(255, 235, 59), line_thickness: int = 2,
                              font_scale: float = 1.0, text_thickness=None,
                              class_mapping: dict | None = None, ground_truth_mapping=None,
                              prediction_mapping=None, legend: bool = False,
                              legend_handles=None, rows=None, cols=None,
                              data_format: str | None = None, **kwargs):
    """A gallery of ``images`` with true boxes (``y_true``: a dict of "boxes" and "labels") in
    ``true_color`` and predicted boxes (``y_pred``) in ``pred_color``; other keyword arguments
    go to ``plot_image_gallery`` (``path``, ``scale``, ...)."""
    fn = "plot_bounding_box_gallery"
    data_format = check_data_format(fn, data_format)
    drawn = _to_uint8(image_batch(fn, images, data_format), value_range)
    for boxes, color, mapping in ((y_true, true_color, ground_truth_mapping or class_mapping),
                                  (y_pred, pred_color, prediction_mapping or class_mapping)):
        if boxes is not None:
            drawn = draw_bounding_boxes(drawn, boxes, bounding_box_format, class_mapping=mapping,
                                        color=color, line_thickness=line_thickness,
                                        text_thickness=text_thickness or line_thickness,
                                        font_scale=font_scale, data_format="channels_last")
    if legend and legend_handles is None:
        from matplotlib.patches import Patch

        legend_handles = [Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
                          Patch(color=np.array(pred_color) / 255.0, label="Prediction")]
    return plot_image_gallery(drawn, rows=rows, cols=cols, value_range=(0, 255),
                              legend_handles=legend_handles, data_format="channels_last",
                              **kwargs)


def plot_segmentation_mask_gallery(images, num_classes: int, value_range=(0, 255), y_true=None,
                                   y_pred=None, color_mapping: dict | None = None,
                                   blend: bool = True, alpha: float = 0.8,
                                   ignore_index: int = -1, data_format: str | None = None,
                                   **kwargs):
    """A gallery with one row of ``images`` and, below it, a row of true masks (``y_true``) and
    of predicted masks (``y_pred``) painted over the images; other keyword arguments go to
    ``plot_image_gallery``."""
    fn = "plot_segmentation_mask_gallery"
    data_format = check_data_format(fn, data_format)
    base = _to_uint8(image_batch(fn, images, data_format), value_range)
    if base.shape[-1] == 1:
        base = np.repeat(base, 3, axis=-1)
    rows = [base]
    for masks in (y_true, y_pred):
        if masks is not None:
            painted = draw_segmentation_masks(base, image_batch(fn, masks, data_format,
                                                                "segmentation masks"),
                                              num_classes=num_classes,
                                              color_mapping=color_mapping, alpha=alpha,
                                              blend=blend, ignore_index=ignore_index,
                                              data_format="channels_last")
            rows.append(np.clip(painted, 0, 255).astype("uint8"))
    stacked = np.concatenate(rows, axis=0)
    kwargs.setdefault("rows", len(rows))
    kwargs.setdefault("cols", base.shape[0])
    return plot_image_gallery(stacked, value_range=(0, 255), data_format="channels_last",
                              **kwargs)
