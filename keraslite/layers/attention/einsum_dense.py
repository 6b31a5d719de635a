"""EinsumDense: a dense layer whose product with its kernel is any einsum equation."""
from __future__ import annotations

import re

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer
from keraslite.utils.unsupported_args import require_default

_EQUATION = re.compile(r"^(\.\.\.)?([a-zA-Z]*),([a-zA-Z]+)->(\.\.\.)?([a-zA-Z]*)$")


def _parse(equation):
    """(input letters, kernel letters, output letters, elided) for ``ab,bc->ac`` or
    ``...b,bc->...c`` (``elided``: the leading axes named by ``...``)."""
    match = _EQUATION.match(equation.replace(" ", "")) if isinstance(equation, str) else None
    if match is None or bool(match.group(1)) != bool(match.group(4)):
        raise arg_utils.invalid("EinsumDense", "equation",
                                "of the form 'ab,bc->ac' or '...b,bc->...c'", equation)
    return match.group(2), match.group(3), match.group(5), bool(match.group(1))


class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: e.g. ``"abc,cd->abd"`` (the first operand is the input, the second the
            kernel). A leading ``...`` stands for any number of leading axes.
        output_shape: the output shape without the batch axis (or without the ``...`` axes);
            ``None`` entries take the size of the same letter in the input.
        bias_axes: output letters that get a bias (``None``: no bias).

    Example::

        layer = keraslite.layers.EinsumDense("abc,cd->abd", output_shape=(None, 8),
                                             bias_axes="d")
        y = layer(np.ones((2, 5, 3)))   # shape (2, 5, 8); kernel (3, 8), bias (8,)
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None,
                 activity_regularizer=None, **kwargs):
        # LoRA, GPTQ and quantization are not implemented: accepted at Keras's default only.
        for key, value in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha),
                           ("gptq_unpacked_column_size", gptq_unpacked_column_size),
                           ("quantization_config", quantization_config)):
            require_default("EinsumDense", key, value)
        super().__init__(**kwargs)
        from keraslite import activations, initializers

        self._spec = _parse(equation)
        self.equation = equation
        if isinstance(output_shape, int) and not isinstance(output_shape, bool):
            output_shape = (output_shape,)
        try:
            output_shape = tuple(None if d is None else int(d) for d in output_shape)
        except (TypeError, ValueError):
            raise arg_utils.invalid("EinsumDense", "output_shape",
                                    "an int or a tuple of ints/None", output_shape) from None
        self.partial_output_shape = output_shape
        in_letters, kernel_letters, out_letters, elided = self._spec
        explicit_out = out_letters if elided else out_letters[1:]
        if len(output_shape) != len(explicit_out):
            raise arg_utils.invalid(
                "EinsumDense", "output_shape",
                f"a tuple of {len(explicit_out)} entries for equation '{equation}'", output_shape)
        if bias_axes is not None and (not isinstance(bias_axes, str)
                                      or any(c not in out_letters for c in bias_axes)):
            raise arg_utils.invalid("EinsumDense", "bias_axes",
                                    f"None or a string of letters from '{out_letters}'",
                                    bias_axes)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = arg_utils.get("regularizers", kernel_regularizer)
        self.bias_regularizer = arg_utils.get("regularizers", bias_regularizer)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.kernel_constraint = arg_utils.get("constraints", kernel_constraint)
        self.bias_constraint = arg_utils.get("constraints", bias_constraint)
        self.supports_masking = True

    # -- shapes -----------------------------------------------------------------------------
    def _full_output_shape(self, input_shape):
        in_letters, _, out_letters, elided = self._spec
        input_shape = tuple(input_shape)
        if elided:
            lead, explicit_in = input_shape[:len(input_shape) - len(in_letters)], \
                input_shape[len(input_shape) - len(in_letters):]
            explicit_out = out_letters
            given = self.partial_output_shape
        else:
            lead, explicit_in = (), input_shape
            explicit_out = out_letters
            given = (input_shape[0],) + self.partial_output_shape
        if len(explicit_in) != len(in_letters):
            raise ValueError(
                f"Layer '{self.name}' with equation '{self.equation}' expects an input of rank "
                f"{len(in_letters)}. Received: shape={input_shape}")
        sizes = dict(zip(in_letters, explicit_in))
        out = []
        for letter, size in zip(explicit_out, given):
            if letter in sizes:
                known = sizes[letter]
                if size is not None and known is not None and size != known:
                    raise ValueError(
                        f"Layer '{self.name}': output_shape gives size {size} to axis "
                        f"'{letter}', but the input has size {known}. Received: "
                        f"input shape={input_shape}")
                size = known if known is not None else size
            out.append(size)
        return tuple(lead) + tuple(out), sizes, dict(zip(explicit_out, out))

    def build(self, input_shape):
        _, kernel_letters, out_letters, _ = self._spec
        _, in_sizes, out_sizes = self._full_output_shape(input_shape)
        kernel_shape = []
        for letter in kernel_letters:
            size = in_sizes.get(letter, out_sizes.get(letter))
            if size is None:
                raise ValueError(
                    f"Layer '{self.name}' needs a known size for kernel axis '{letter}' of "
                    f"equation '{self.equation}'. Received: input_shape={tuple(input_shape)}")
            kernel_shape.append(size)
        self.kernel = self.add_weight(
            shape=kernel_shape, initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.bias_axes:
            first = min(out_letters.index(c) for c in self.bias_axes)
            bias_shape = [out_sizes[c] if c in self.bias_axes else 1
                          for c in out_letters[first:]]
            self.bias = self.add_weight(
                shape=bias_shape, initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        x = ops.einsum(self.equation, inputs, arg_utils.autocast(self.kernel, self.compute_dtype))
        if self.bias is not None:
            x = ops.add(x, arg_utils.autocast(self.bias, self.compute_dtype))
        return self.activation(x) if self.activation is not None else x

    def compute_output_shape(self, input_shape):
        return self._full_output_shape(input_shape)[0]

    def get_config(self):
        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": arg_utils.serialize("activations", self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": arg_utils.serialize("initializers", self.kernel_initializer),
            "bias_initializer": arg_utils.serialize("initializers", self.bias_initializer),
            "kernel_regularizer": arg_utils.serialize("regularizers", self.kernel_regularizer),
            "bias_regularizer": arg_utils.serialize("regularizers", self.bias_regularizer),
            "activity_regularizer": arg_utils.serialize("regularizers", self.activity_regularizer),
            "kernel_constraint": arg_utils.serialize("constraints", self.kernel_constraint),
            "bias_constraint": arg_utils.serialize("constraints", self.bias_constraint),
        }
