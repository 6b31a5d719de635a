"""``keraslite.Function`` and ``keraslite.Operation``: Keras's names for a graph of operations
and for the base of everything that records itself in such a graph.

In keraslite every recorded step is a layer (an op on symbolic tensors records an ``OpLayer``),
so ``Operation`` is the ``Layer`` base class, and a ``Function`` is a functional graph without
the training API: it holds a ``Functional`` model and calls it.
"""
from __future__ import annotations

from typing import Any

from keraslite.layers.layer import Layer
from keraslite.models.functional import Functional

Operation = Layer


class Function:
    """The computation from symbolic ``inputs`` to ``outputs``, callable on arrays.

    Example::

        x = keraslite.Input((3,))
        fn = keraslite.Function(x, keraslite.ops.sum(x * 2.0, axis=-1))
        fn(np.ones((2, 3), "float32"))    # [6., 6.]
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None):
        self._graph = Functional(inputs, outputs, name=name)
        self.name = self._graph.name

    @property
    def inputs(self):
        return self._graph.inputs

    @property
    def outputs(self):
        return self._graph.outputs

    @property
    def input(self):
        return self._graph.input

    @property
    def output(self):
        return self._graph.output

    @property
    def operations(self) -> list:
        """The layers of the graph (its operations), in call order."""
        return list(self._graph.layers)

    def __call__(self, inputs: Any) -> Any:
        return self._graph(inputs)

    def call(self, inputs: Any) -> Any:
        return self._graph(inputs)

    def compute_output_spec(self, inputs: Any) -> Any:
        return self._graph.compute_output_spec(inputs)

    def get_config(self) -> dict:
        return self._graph.get_config()
