"""MultiOptimizer: different optimizers for different variables (e.g. Adam for an encoder,
SGD for the head), chosen by ``OptimizerMap`` (variable path patterns) or by a function."""
from __future__ import annotations

import re
from collections.abc import MutableMapping

from keraslite import ops
from keraslite.optimizers.optimizer import Optimizer


class OptimizerMap(MutableMapping):
    """Optimizers by variable path: a key is an exact path or a regular expression the whole
    path must match (``"encoder/.*"``); other variables get ``default_optimizer``."""

    def __init__(self, default_optimizer: Optimizer, optimizer_map: dict | None = None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("OptimizerMap: argument `default_optimizer` must be an Optimizer. "
                            f"Received: {default_optimizer!r:.80}")
        self._default = default_optimizer
        self._map: dict[str, Optimizer] = {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default

    def __getitem__(self, path: str) -> Optimizer:
        if path in self._map:
            return self._map[path]
        matches = [pattern for pattern in self._map if re.fullmatch(pattern, path)]
        if len(matches) > 1:
            raise ValueError(f"OptimizerMap: variable path {path!r} matches more than one key "
                             f"({matches}); make the keys more specific.")
        return self._map[matches[0]] if matches else self._default

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if not isinstance(key, str):
            raise TypeError(f"OptimizerMap: keys must be variable paths (str). Received: {key!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OptimizerMap: the value for {key!r} must be an Optimizer. "
                            f"Received: {optimizer!r:.80}")
        self._map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._map[key]

    def __iter__(self):
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def __call__(self, variable) -> Optimizer:
        return self[variable.path]

    def get_config(self) -> dict:
        from keraslite import optimizers

        return {"default_optimizer": optimizers.serialize(self._default),
                "optimizer_map": {k: optimizers.serialize(v) for k, v in self._map.items()}}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from keraslite import optimizers

        return cls(optimizers.deserialize(config["default_optimizer"], custom_objects),
                   {k: optimizers.deserialize(v, custom_objects)
                    for k, v in (config.get("optimizer_map") or {}).items()})


class MultiOptimizer(Optimizer):
    """Applies each variable's update with the optimizer ``optimizer_map`` picks for it: an
    ``OptimizerMap`` or a function ``variable -> Optimizer``. Each sub-optimizer keeps its own
    learning rate, slots and iteration count (``optimizers`` lists them); the MultiOptimizer
    has no single learning rate.

    Example::

        opt = MultiOptimizer(OptimizerMap(SGD(0.01), {"encoder/.*": Adam(1e-3)}))
        model.compile(optimizer=opt, loss="mse")
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        if not callable(optimizer_map):
            raise TypeError("MultiOptimizer: argument `optimizer_map` must be an OptimizerMap or "
                            "a function variable -> Optimizer. Received: "
                            f"{optimizer_map!r:.80}")
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self.optimizer_map = optimizer_map
        self._inner: list[Optimizer] = []
        self._owner: dict[int, Optimizer] = {}

    def build(self, variables):
        if self.built:
            return
        self._trainable_variables = list(variables)
        groups: dict[int, list] = {}
        for variable in self._trainable_variables:
            optimizer = self.optimizer_map(variable)
            if not isinstance(optimizer, Optimizer):
                raise TypeError(f"MultiOptimizer: `optimizer_map` gave {optimizer!r:.80} for "
                                f"variable '{variable.path}'; it must give an Optimizer.")
            if id(optimizer) not in groups:
                groups[id(optimizer)] = []
                self._inner.append(optimizer)
            groups[id(optimizer)].append(variable)
            self._owner[id(variable)] = optimizer
        for optimizer in self._inner:
            optimizer.build(groups[id(optimizer)])
        self.built = True

    @property
    def optimizers(self) -> list:
        """The sub-optimizers, in the order of the first variable each one updates."""
        return list(self._inner)

    @property
    def variables(self) -> list:
        out = [self._iterations]
        for optimizer in self._inner:
            out.extend(optimizer.variables)
        return out

    @property
    def iterations(self):
        return self._iterations

    @property
    def learning_rate(self):
        raise AttributeError("MultiOptimizer has no single learning rate: read "
                             "`learning_rate` of each optimizer in `.optimizers`.")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError("MultiOptimizer has no single learning rate: set `learning_rate` "
                             "on each optimizer in `.optimizers`.")

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if trainable_variables is None:
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Optimizer '{self.name}' received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables; they must match one to one.")
        if not self.built:
            self.build(trainable_variables)
        if self.loss_scale_factor is not None:
            grads = [None if g is None else ops.divide(g, self.loss_scale_factor) for g in grads]
        per_optimizer: dict[int, tuple[list, list]] = {id(o): ([], []) for o in self._inner}
        for grad, variable in zip(grads, trainable_variables):
            owner = self._owner.get(id(variable))
            if owner is None:
                raise ValueError(f"Optimizer '{self.name}' was built for other variables and "
                                 f"does not know '{variable.path}'.")
            if grad is not None:
                per_optimizer[id(owner)][0].append(grad)
                per_optimizer[id(owner)][1].append(variable)
        for optimizer in self._inner:
            sub_grads, sub_vars = per_optimizer[id(optimizer)]
            if sub_grads:  # an optimizer whose variables got no gradient skips this step
                optimizer.apply(sub_grads, sub_vars)
        self._iterations.assign(ops.add(self._iterations.value, 1))
        return self._iterations

    def finalize_variable_values(self, var_list):
        for optimizer in self._inner:
            optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        if not isinstance(self.optimizer_map, OptimizerMap):
            raise ValueError("MultiOptimizer: only an `optimizer_map` given as an OptimizerMap "
                             "can be saved; a selection function cannot.")
        return {"name": self.name, "loss_scale_factor": self.loss_scale_factor,
                "optimizer_map": self.optimizer_map.get_config()}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["optimizer_map"] = OptimizerMap.from_config(config["optimizer_map"],
                                                           custom_objects)
        return cls(**config)
