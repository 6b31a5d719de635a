"""The weights half of ``Layer``: creating weights, listing them (own first, then each
sublayer's, without repeats), reading and setting their values, and calling a layer as a pure
function of given values (``stateless_call``)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from keraslite import constraints, initializers, regularizers
from keraslite.backends import core
from keraslite.utils import allocation_budget
from keraslite.variables import StatelessScope, Variable, creating_path

if TYPE_CHECKING:
    from keraslite.utils.typing import TensorLike


class LayerWeights:
    """Mixed into ``Layer``; relies on its ``name``, ``_trainable``, ``_layers``,
    ``_seed_generators``, ``_trainable_variables`` and ``_non_trainable_variables``."""

    # -- weights ----------------------------------------------------------------------------
    def add_weight(self, shape: Sequence[int] | None = None, initializer: Any = None,
                   dtype: Any = None, trainable: bool = True, autocast: bool = True,
                   regularizer: Any = None, constraint: Any = None, aggregation: str = "mean",
                   overwrite_with_gradient: bool = False, name: str | None = None) -> Variable:
        """Creates a Variable owned by this layer (initializers run once, eagerly).

        Arguments and their order follow Keras 3's ``Layer.add_weight``."""
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = core.standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        init = initializers.get(initializer)
        allocation_budget.charge(shape, dtype, f"{self.name}/{name}")
        with creating_path(f"{self.name}/{name or 'variable'}"):
            variable = Variable(init, shape=shape, dtype=dtype, trainable=trainable, name=name,
                                autocast=autocast, aggregation=aggregation)
        variable.path = f"{self.name}/{variable.name}"
        # Variable does not declare these: ``losses`` and the optimizer read them when present.
        variable.regularizer = _get_regularizer(regularizer)  # type: ignore[attr-defined]
        variable.constraint = _get_constraint(constraint)  # type: ignore[attr-defined]
        if trainable:
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)
        if not self._trainable:
            variable.trainable = False
        variable._owner_trainable = trainable  # type: ignore[attr-defined]
        return variable

    def add_variable(self, shape: Sequence[int] | None, initializer: Any, dtype: Any = None,
                     trainable: bool = True, autocast: bool = True, regularizer: Any = None,
                     constraint: Any = None, name: str | None = None,
                     **kwargs: Any) -> Variable:
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, autocast=autocast, regularizer=regularizer,
                               constraint=constraint, name=name, **kwargs)

    def _own_weights(self):
        return self._trainable_variables + self._non_trainable_variables

    @property
    def weights(self) -> list[Variable]:
        """All weights: this layer's (trainable, then non-trainable), then each sublayer's."""
        seen, out = set(), []
        for v in self._own_weights():
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._layers:
            for v in layer.weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_variables(self) -> list[Variable]:
        """Non-trainable weights plus RNG state: everything besides the trainable variables that
        a pure call needs (as in Keras 3)."""
        trainable = {id(v) for v in self.trainable_variables}
        return [v for v in self.variables if id(v) not in trainable]

    def stateless_call(self, trainable_variables: Sequence[TensorLike],
                       non_trainable_variables: Sequence[TensorLike], *args: Any,
                       return_losses: bool = False, **kwargs: Any) -> tuple[Any, ...]:
        """Calls the layer as a pure function of the given variable values (e.g. inside
        ``jax.jit``); returns ``(outputs, new_non_trainable_values)`` (plus the losses with
        ``return_losses``). The layer's own variables are left untouched.

        Example (JAX)::

            tv = [v.value for v in model.trainable_variables]
            ntv = [v.value for v in model.non_trainable_variables]
            y, ntv = jax.jit(model.stateless_call)(tv, ntv, x)
        """
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        if len(trainable_variables) != len(trainable) or len(non_trainable_variables) != len(
                non_trainable):
            raise ValueError(
                f"Layer '{self.name}'.stateless_call expects {len(trainable)} trainable and "
                f"{len(non_trainable)} non-trainable values. Received: "
                f"{len(trainable_variables)} and {len(non_trainable_variables)}."
            )
        mapping = list(zip(trainable, trainable_variables)) + list(
            zip(non_trainable, non_trainable_variables))
        with StatelessScope(mapping) as scope:
            outputs = self(*args, **kwargs)
            new_values = [scope.current(v) for v in non_trainable]
            losses = list(self.losses)
        return (outputs, new_values, losses) if return_losses else (outputs, new_values)

    @property
    def variables(self) -> list[Variable]:
        """Weights plus the RNG state of random layers (everything a pure call needs)."""
        seen, out = set(), []
        for v in self.weights + self._all_seed_variables():
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def _all_seed_variables(self):
        out = [g.state for g in self._seed_generators]
        for layer in self._layers:
            out.extend(layer._all_seed_variables())
        return out

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for v in self._own_weights():
            if getattr(v, "_owner_trainable", v.trainable):
                v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    def get_weights(self) -> list[np.ndarray]:
        """The weights as a list of NumPy arrays, in the order of ``weights``."""
        # Writable copies, as Keras returns: a JAX array's NumPy view is read-only.
        return [np.array(v.numpy(), copy=True) for v in self.weights]

    def set_weights(self, weights: Iterable[TensorLike]) -> None:
        """Sets the weights from a list of arrays, in the order of ``weights``."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' expected {len(own)} weight arrays "
                f"({', '.join(v.name for v in own) or 'none'}). Received: {len(weights)} arrays."
            )
        for v, w in zip(own, weights):
            arr = w if isinstance(w, np.ndarray) else (
                np.asarray(w) if isinstance(w, (list, tuple)) else None)
            if arr is not None and arr.dtype.kind in "USOMmc":
                raise TypeError(
                    f"Layer '{self.name}' weight '{v.name}' holds numbers of dtype {v.dtype}. "
                    f"Received an array of dtype {arr.dtype}."
                )
            w_shape = tuple(np.shape(w))
            if w_shape != v.shape:
                raise ValueError(
                    f"Layer '{self.name}' weight '{v.name}' has shape {v.shape}. "
                    f"Received a value of shape {w_shape}."
                )
        for v, w in zip(own, weights):
            v.assign(np.asarray(w))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' is not built yet, so its weights do not exist. Call it on "
                "data or build it with an input shape first."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))


def _get_regularizer(reg):
    if reg is None:
        return None
    return regularizers.get(reg)


def _get_constraint(con):
    if con is None:
        return None
    return constraints.get(con)
