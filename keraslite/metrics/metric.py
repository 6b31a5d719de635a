"""The Metric base class: state in Variables, updated with ops and ``assign`` only, so
``update_state`` traces inside a compiled step."""
from __future__ import annotations

from keraslite import config, initializers
from keraslite.utils import naming
from keraslite.variables import StatelessScope, Variable


class Metric:
    """Base class. Subclasses create state with ``add_variable`` in ``__init__`` and implement
    ``update_state`` and ``result``.

    Example::

        class CountPositives(Metric):
            def __init__(self, name="count_positives"):
                super().__init__(name=name)
                self.count = self.add_variable((), "zeros", name="count")

            def update_state(self, y_true, y_pred, sample_weight=None):
                self.count.assign_add(ops.sum(ops.cast(ops.greater(y_pred, 0), "float32")))

            def result(self):
                return self.count.value
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.dtype = dtype or config.floatx()
        self._variables = []
        self._initializers = []

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Creates a non-trainable state Variable with path ``"<metric name>/<name>"``."""
        init = initializers.get(initializer)
        variable = Variable(init, shape=tuple(shape), dtype=dtype or self.dtype, trainable=False,
                            name=name or "variable", aggregation=aggregation)
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        self._initializers.append(init)
        return variable

    add_weight = add_variable

    @property
    def variables(self) -> list:
        return list(self._variables)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self):
        """Sets every state Variable back to its initial value."""
        for variable, init in zip(self._variables, self._initializers):
            variable.assign(init(variable.shape, dtype=variable.dtype))

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    # -- pure forms for compiled steps ------------------------------------------------------
    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """Values in, new values out (in the order of ``variables``); no Variable changes."""
        with StatelessScope(list(zip(self._variables, metric_variables))) as scope:
            self.update_state(*args, **kwargs)
        return [scope.current(v) for v in self._variables]

    def stateless_result(self, metric_variables):
        with StatelessScope(list(zip(self._variables, metric_variables))):
            return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
