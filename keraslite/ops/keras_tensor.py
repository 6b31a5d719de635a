"""KerasTensor: a symbolic tensor (shape + dtype) that the functional API builds graphs from."""
from __future__ import annotations


class KerasTensor:
    """Shape and dtype of a value that does not exist yet, plus where it comes from.

    ``shape`` is a tuple whose entries are ints or ``None`` (unknown, usually the batch).
    ``_history`` is ``(layer, node_index, tensor_index)`` once a layer produced it.
    """

    def __init__(self, shape, dtype="float32", name=None, sparse=False):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        from keraslite.backends import core

        self.dtype = core.standardize_dtype(dtype)
        self.name = name
        self.sparse = sparse
        self._history = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A symbolic KerasTensor has no value: it only describes the shape and dtype of a model "
            "input or output. Build a Model from it and call the model on real data instead."
        )

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a Python bool.")

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len() of a KerasTensor with unknown first dimension: shape={self.shape}")
        return self.shape[0]

    def _op(name):
        def method(self, *others):
            from keraslite import ops

            return getattr(ops, name)(self, *others)

        return method

    def _rop(name):
        def method(self, other):
            from keraslite import ops

            return getattr(ops, name)(other, self)

        return method

    __add__ = _op("add")
    __radd__ = _rop("add")
    __sub__ = _op("subtract")
    __rsub__ = _rop("subtract")
    __mul__ = _op("multiply")
    __rmul__ = _rop("multiply")
    __truediv__ = _op("divide")
    __rtruediv__ = _rop("divide")
    __matmul__ = _op("matmul")
    __rmatmul__ = _rop("matmul")
    __pow__ = _op("power")
    __neg__ = _op("negative")
    __abs__ = _op("abs")
    __getitem__ = _op("get_item")
    del _op, _rop


def is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)
