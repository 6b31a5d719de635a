"""ZeroPadding2D: adds rows and columns of zeros around an image batch."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer


def _normalize_padding(padding):
    """int, (sym_h, sym_w) or ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    expected = "an int, a tuple of 2 ints, or a tuple of 2 tuples of 2 non-negative ints"
    if isinstance(padding, int) and not isinstance(padding, bool):
        out = ((padding, padding), (padding, padding))
    else:
        try:
            items = tuple(padding)
            if len(items) != 2:
                raise TypeError
            if all(isinstance(p, int) and not isinstance(p, bool) for p in items):
                out = ((items[0], items[0]), (items[1], items[1]))
            else:
                out = tuple(tuple(p) for p in items)
                if any(len(p) != 2 or not all(isinstance(v, int) and not isinstance(v, bool)
                                              for v in p) for p in out):
                    raise TypeError
        except TypeError:
            raise arg_utils.invalid("ZeroPadding2D", "padding", expected, padding) from None
    if any(v < 0 for p in out for v in p):
        raise arg_utils.invalid("ZeroPadding2D", "padding", expected, padding)
    return tuple(tuple(int(v) for v in p) for p in out)


class ZeroPadding2D(Layer):
    """Pads the two spatial axes of a 4D input with zeros.

    Example::

        keraslite.layers.ZeroPadding2D(((1, 0), (2, 2)))(np.ones((1, 3, 3, 1))).shape
        # (1, 4, 7, 1)
    """

    output_spec_from_shape = True

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _normalize_padding(padding)
        self.data_format = arg_utils.standardize_data_format("ZeroPadding2D", data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        no_pad = ((0, 0),)
        if self.data_format == "channels_last":
            pad_width = no_pad + self.padding + no_pad
        else:
            pad_width = no_pad + no_pad + self.padding
        return ops.pad(inputs, pad_width)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        first = 1 if self.data_format == "channels_last" else 2
        for i, (before, after) in enumerate(self.padding):
            if shape[first + i] is not None:
                shape[first + i] += before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
