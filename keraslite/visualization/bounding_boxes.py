"""``draw_bounding_boxes``: box outlines (and optional class labels) drawn into a batch of
images, for the box formats Keras names."""
from __future__ import annotations

import numpy as np

from keraslite.visualization.image_batches import (check_data_format, image_batch,
                                                   to_numpy)

# Keras's formats (it has no relative center_yxhw).
FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
           "rel_xywh", "rel_center_xywh")


def to_xyxy(boxes: np.ndarray, bounding_box_format: str, height: int, width: int) -> np.ndarray:
    """Boxes ``(..., 4)`` in ``bounding_box_format`` as absolute ``(x1, y1, x2, y2)`` pixels."""
    if bounding_box_format not in FORMATS:
        raise ValueError(f"bounding_box_format must be one of {', '.join(FORMATS)}. "
                         f"Received: bounding_box_format={bounding_box_format!r}")
    boxes = np.asarray(boxes, dtype="float64")
    if boxes.shape[-1:] != (4,):
        raise ValueError(f"Boxes must have 4 coordinates on their last axis. Received: boxes of "
                         f"shape {boxes.shape}")
    name = bounding_box_format
    if name.startswith("rel_"):
        name = name[4:]
        scale = (np.array([width, height, width, height]) if name in ("xyxy", "xywh",
                                                                      "center_xywh")
                 else np.array([height, width, height, width]))
        boxes = boxes * scale
    a, b, c, d = np.moveaxis(boxes, -1, 0)
    if name == "xyxy":
        x1, y1, x2, y2 = a, b, c, d
    elif name == "yxyx":
        y1, x1, y2, x2 = a, b, c, d
    elif name == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif name == "center_xywh":
        x1, y1, x2, y2 = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    else:  # center_yxhw
        y1, x1, y2, x2 = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    return np.stack([x1, y1, x2, y2], axis=-1)


def _outline(image: np.ndarray, box, color: np.ndarray, thickness: int) -> None:
    """Paints the outline of ``box`` (x1, y1, x2, y2), ``thickness`` pixels wide, inwards."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    x1, x2 = max(min(x1, x2), 0), min(max(x1, x2), width - 1)
    y1, y2 = max(min(y1, y2), 0), min(max(y1, y2), height - 1)
    if x1 > x2 or y1 > y2:
        return  # entirely outside the image
    t = max(int(thickness), 1)
    image[y1:min(y1 + t, y2 + 1), x1:x2 + 1] = color
    image[max(y2 - t + 1, y1):y2 + 1, x1:x2 + 1] = color
    image[y1:y2 + 1, x1:min(x1 + t, x2 + 1)] = color
    image[y1:y2 + 1, max(x2 - t + 1, x1):x2 + 1] = color


def _label(image: np.ndarray, text: str, x: int, y: int, color, font_scale: float) -> np.ndarray:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        return image  # labels need Pillow; the boxes are drawn regardless
    canvas = Image.fromarray(image.astype("uint8"))
    try:
        font = ImageFont.load_default(size=max(int(10 * font_scale), 6))
    except TypeError:  # Pillow < 10.1 has one fixed-size default font
        font = ImageFont.load_default()
    ImageDraw.Draw(canvas).text((x, max(y - int(11 * font_scale), 0)), text,
                                fill=tuple(int(c) for c in color), font=font)
    return np.asarray(canvas)


def draw_bounding_boxes(images, bounding_boxes: dict, bounding_box_format: str,
                        class_mapping: dict | None = None, color=(128, 128, 128),
                        line_thickness: int = 2, text_thickness: int = 1,
                        font_scale: float = 1.0, data_format: str | None = None) -> np.ndarray:
    """A uint8 copy of ``images`` (channels last) with each box outlined in ``color``.

    ``bounding_boxes`` holds ``"boxes"`` ``(batch, num_boxes, 4)`` and ``"labels"``
    ``(batch, num_boxes)`` (label -1 marks padding, not drawn), and optionally
    ``"confidences"``. With ``class_mapping`` each box is labelled with its class name (and
    confidence) when Pillow is installed.

    Example::

        out = draw_bounding_boxes(images, {"boxes": boxes, "labels": labels}, "xyxy")
    """
    fn = "draw_bounding_boxes"
    data_format = check_data_format(fn, data_format)
    images = image_batch(fn, images, data_format)
    if not isinstance(bounding_boxes, dict):
        raise TypeError(f"{fn}: `bounding_boxes` must be a dict with 'boxes' and 'labels'. "
                        f"Received: {type(bounding_boxes).__name__}")
    missing = [key for key in ("boxes", "labels") if key not in bounding_boxes]
    if missing:
        raise ValueError(f"{fn}: `bounding_boxes` lacks {missing}. Received keys: "
                         f"{sorted(bounding_boxes)}")
    boxes = to_numpy(bounding_boxes["boxes"])
    labels = to_numpy(bounding_boxes["labels"])
    confidences = bounding_boxes.get("confidences")
    confidences = None if confidences is None else to_numpy(confidences)
    if boxes.shape[:1] != images.shape[:1] or labels.shape != boxes.shape[:-1]:
        raise ValueError(f"{fn}: expected boxes (batch, num_boxes, 4) and labels "
                         f"(batch, num_boxes) for {images.shape[0]} images. Received: "
                         f"boxes {boxes.shape}, labels {labels.shape}")
    height, width = images.shape[1:3]
    corners = to_xyxy(boxes, bounding_box_format, height, width)
    color = np.asarray(color, dtype="float64")
    out = np.clip(images, 0, 255).astype("uint8")
    for i in range(out.shape[0]):
        image = out[i].copy()
        for j in range(corners.shape[1]):
            if labels[i, j] == -1:
                continue
            _outline(image, corners[i, j], color.astype("uint8"), line_thickness)
            if class_mapping:
                text = str(class_mapping.get(int(labels[i, j]), int(labels[i, j])))
                if confidences is not None:
                    text += f" | {float(confidences[i, j]):.2f}"
                image = _label(image, text, int(corners[i, j, 0]), int(corners[i, j, 1]),
                               color, font_scale)
        out[i] = image
    return out
