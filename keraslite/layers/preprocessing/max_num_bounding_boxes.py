"""MaxNumBoundingBoxes: gives every image the same number of bounding boxes (truncating or
padding), so that detection targets batch into dense arrays."""
from __future__ import annotations

import numbers
from typing import Optional

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer

_BOX_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx",
                "rel_xywh", "rel_center_xywh")


class MaxNumBoundingBoxes(Layer):
    """Keeps the first ``max_number`` boxes (and labels) of each image and pads with
    ``fill_value`` up to ``max_number``. Images pass unchanged.

    Called on ``{"images": ..., "bounding_boxes": {"boxes": (B, N, 4), "labels": (B, N)}}``
    (or one image's ``(N, 4)`` / ``(N,)``); any other input is returned as it is.

    Example::

        pad = keraslite.layers.MaxNumBoundingBoxes(max_number=10, bounding_box_format="xyxy")
        data = pad({"images": images, "bounding_boxes": {"boxes": b, "labels": l}})
    """

    def __init__(self, max_number: int, fill_value: int = -1,
                 bounding_box_format: Optional[str] = None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(max_number, bool) or not isinstance(max_number, numbers.Integral) or \
                max_number < 1:
            raise arg_utils.invalid("MaxNumBoundingBoxes", "max_number", "an int >= 1",
                                    max_number)
        if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
            raise arg_utils.invalid("MaxNumBoundingBoxes", "fill_value", "a number", fill_value)
        if bounding_box_format is not None and bounding_box_format not in _BOX_FORMATS:
            raise arg_utils.invalid("MaxNumBoundingBoxes", "bounding_box_format",
                                    f"None or one of {_BOX_FORMATS}", bounding_box_format)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        self.data_format = arg_utils.standardize_data_format("MaxNumBoundingBoxes", data_format)

    def _fit(self, values, name: str, rank: int):
        values = ops.convert_to_tensor(values)
        if len(values.shape) not in (rank - 1, rank):
            raise ValueError(f"Layer '{self.name}': bounding_boxes['{name}'] must have rank "
                             f"{rank} (a batch) or {rank - 1} (one image). "
                             f"Received: shape={tuple(values.shape)}")
        unbatched = len(values.shape) == rank - 1
        if unbatched:
            values = ops.expand_dims(values, 0)
        count = int(values.shape[1])
        values = values[:, :self.max_number]
        if count < self.max_number:
            pad = [[0, 0], [0, self.max_number - count]] + [[0, 0]] * (rank - 2)
            values = ops.pad(values, pad, constant_values=self.fill_value)
        return ops.squeeze(values, 0) if unbatched else values

    def call(self, data, training=None):
        if not isinstance(data, dict) or "bounding_boxes" not in data:
            return data
        boxes = data["bounding_boxes"]
        if not isinstance(boxes, dict) or set(boxes) - {"boxes", "labels"} or \
                not {"boxes", "labels"} <= set(boxes):
            found = sorted(boxes) if isinstance(boxes, dict) else type(boxes).__name__
            raise ValueError(f"Layer '{self.name}': bounding_boxes must be a dict with the keys "
                             f"'boxes' and 'labels' only. Received: {found}")
        out = dict(data)
        out["bounding_boxes"] = {"boxes": self._fit(boxes["boxes"], "boxes", 3),
                                 "labels": self._fit(boxes["labels"], "labels", 2)}
        return out

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            shapes = dict(input_shape)
            fitted = {}
            for key, shape in input_shape["bounding_boxes"].items():
                shape = list(shape)
                shape[-2 if key == "boxes" else -1] = self.max_number
                fitted[key] = tuple(shape)
            shapes["bounding_boxes"] = fitted
            return shapes
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_number": self.max_number,
                "fill_value": self.fill_value, "bounding_box_format": self.bounding_box_format,
                "data_format": self.data_format}
