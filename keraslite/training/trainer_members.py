"""Keras 3's smaller Model members: ``jit_compile`` / ``run_eagerly`` (validated settings),
``distribute_strategy`` / ``distribute_reduction_method``, ``stateless_compute_loss``,
``compute_loss_and_updates`` (only Keras's JAX trainer has it; keraslite has it on both
backends), ``get_state_tree`` / ``set_state_tree``, and the quantization members (refused).

``distribute_strategy``: on TensorFlow, the ``tf.distribute`` strategy whose scope was open when
the model was made, else TensorFlow's default strategy (as Keras). On JAX it is None: keraslite's
``keraslite.distribution`` (DataParallel, ModelParallel) is how a JAX model spans devices.
``distribute_reduction_method`` is "auto" and only "auto" is accepted: keraslite's metrics are
already summed across replicas inside the step, so the logs need no further reduction.
"""
from __future__ import annotations

import importlib
from typing import Any

from keraslite import config
from keraslite.training import state_tree as state_tree_module
from keraslite.variables import StatelessScope


def _strategy_module():
    return importlib.import_module(f"keraslite.backends.{config.BACKEND}.strategy")


class TrainerMembers:
    """Mixed into ``Model`` through ``Trainer``."""

    # -- compiled-step settings ---------------------------------------------------------------
    @property
    def jit_compile(self) -> bool | str:
        """True (XLA), False, or "auto" (JAX: XLA; TensorFlow: XLA unless the step holds
        convolutions). Setting it takes effect at the next compiled call; with
        ``run_eagerly`` the steps run uncompiled whatever it says."""
        return getattr(self, "_jit_compile", "auto")

    @jit_compile.setter
    def jit_compile(self, value: bool | str | None) -> None:
        if value is None:  # Keras's "not set yet": the backend decides, as with "auto"
            value = "auto"
        if value != "auto" and not isinstance(value, bool):
            raise ValueError("jit_compile must be True, False or 'auto'. "
                             f"Received: jit_compile={value!r}")
        self._jit_compile = value

    @property
    def run_eagerly(self) -> bool:
        """Run the steps as plain Python (for debugging) instead of compiled."""
        return getattr(self, "_run_eagerly", False)

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise ValueError(f"run_eagerly must be True or False. Received: run_eagerly={value!r}")
        self._run_eagerly = value

    @property
    def unrolled_steps_per_execution(self) -> int:
        """Keras's TensorFlow loop unrolling; keraslite's loops are not unrolled: always 1."""
        return 1

    @unrolled_steps_per_execution.setter
    def unrolled_steps_per_execution(self, value: int) -> None:
        if isinstance(value, bool) or value != 1:
            raise ValueError("unrolled_steps_per_execution: keraslite does not unroll its "
                             f"compiled loops; only 1 is accepted. Received: {value!r}")

    # -- distribution -------------------------------------------------------------------------
    def _record_strategy(self) -> None:
        self._distribute_strategy = _strategy_module().creation_strategy()

    @property
    def distribute_strategy(self) -> Any:
        """TensorFlow: the ``tf.distribute`` strategy the model was made under, else the
        default one. JAX: None (see ``keraslite.distribution``)."""
        return _strategy_module().current_strategy(getattr(self, "_distribute_strategy", None))

    @property
    def distribute_reduction_method(self) -> str:
        return getattr(self, "_distribute_reduction_method", None) or "auto"

    @distribute_reduction_method.setter
    def distribute_reduction_method(self, value: str | None) -> None:
        if value not in (None, "auto"):
            raise ValueError(
                "distribute_reduction_method: keraslite supports only 'auto' (metrics are "
                f"summed across replicas inside the step). Received: {value!r}"
            )
        self._distribute_reduction_method = value

    # -- pure loss ----------------------------------------------------------------------------
    def stateless_compute_loss(self, trainable_variables: list, non_trainable_variables: list,
                               metrics_variables: list, x: Any = None, y: Any = None,
                               y_pred: Any = None, sample_weight: Any = None,
                               training: bool = True) -> tuple:
        """``compute_loss`` with the given variable values instead of the variables' own;
        returns ``(loss, (trainable, non_trainable, metrics_variables))`` with the values
        after the call (a ``compute_loss`` override may update metrics). The lists follow
        ``self.trainable_variables``, ``self.non_trainable_variables`` and
        ``[v for m in self.metrics for v in m.variables]`` (Keras's ``metrics_variables``)."""
        own_metrics = [v for metric in self.metrics for v in metric.variables]
        expected = (("trainable_variables", self.trainable_variables, trainable_variables),
                    ("non_trainable_variables", self.non_trainable_variables,
                     non_trainable_variables),
                    ("metrics_variables", own_metrics, metrics_variables))
        mapping = []
        for name, variables, values in expected:
            mapping.extend(zip(variables, _checked(self, name, variables, values)))
        with StatelessScope(mapping) as scope:
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=training)
        return loss, (list(trainable_variables),
                      [scope.current(v) for v in self.non_trainable_variables],
                      [scope.current(v) for v in own_metrics])

    def compute_loss_and_updates(self, trainable_variables: list,
                                 non_trainable_variables: list, metrics_variables: list,
                                 x: Any, y: Any, sample_weight: Any, training: bool = False,
                                 optimizer_variables: list | None = None) -> tuple:
        """The forward pass and ``compute_loss`` as one pure function of the given values (for
        ``jax.grad`` or ``compute_gradients``); returns ``(loss, (unscaled_loss, y_pred,
        non_trainable, metrics_variables))``. With ``training`` the loss is scaled by the
        optimizer (float16 loss scaling), its variables taken from ``optimizer_variables``."""
        own_metrics = [v for metric in self.metrics for v in metric.variables]
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        mapping = list(zip(trainable, _checked(self, "trainable_variables", trainable,
                                               trainable_variables)))
        mapping += zip(non_trainable, _checked(self, "non_trainable_variables", non_trainable,
                                               non_trainable_variables))
        mapping += zip(own_metrics, _checked(self, "metrics_variables", own_metrics,
                                             metrics_variables))
        optimizer = getattr(self, "optimizer", None)
        if training and optimizer is not None and optimizer_variables is not None:
            mapping += zip(optimizer.variables, _checked(self, "optimizer_variables",
                                                         optimizer.variables,
                                                         optimizer_variables))
        with StatelessScope(mapping) as scope:
            y_pred = self(x, training=training)
            unscaled = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                         training=training)
            loss = optimizer.scale_loss(unscaled) if training and optimizer is not None \
                else unscaled
            new_non_trainable = [scope.current(v) for v in non_trainable]
            new_metrics = [scope.current(v) for v in own_metrics]
        return loss, (unscaled, y_pred, new_non_trainable, new_metrics)

    def jax_state_sync(self) -> None:
        """Nothing to do: keraslite's variables always give their current value (during
        ``fit`` too), so there is no separate JAX state to write back as in Keras."""

    # -- state tree ---------------------------------------------------------------------------
    def get_state_tree(self, value_format: str = "backend_tensor") -> dict:
        """The model state as Keras's nested tree: ``trainable_variables``,
        ``non_trainable_variables``, ``optimizer_variables`` and ``metrics_variables``, each
        keyed by variable path (``training/state_tree.py``). ``value_format`` is
        "backend_tensor" or "numpy_array"."""
        return state_tree_module.get_state_tree(self, value_format)

    def set_state_tree(self, state_tree: dict) -> None:
        """Assigns a tree from ``get_state_tree`` (all of it or some groups/paths); every path
        and shape is checked before anything is assigned."""
        state_tree_module.set_state_tree(self, state_tree)

    # -- quantization -------------------------------------------------------------------------
    def get_quantization_layer_structure(self, mode: str | None = None) -> None:
        """None, as Keras's default: keraslite does not quantize (``quantize`` raises), so no
        mode needs a layer structure."""
        del mode
        return None

    def quantize(self, mode: str | None = None, config: Any = None, filters: Any = None,
                 **kwargs: Any) -> None:
        """Not supported (Keras's Model signature; a layer's ``quantize`` differs): raises
        ``NotImplementedError`` naming the mode."""
        del config, filters, kwargs
        error = getattr(self, "_quantization_error", None)
        if error is not None:
            raise error("quantize", mode)
        raise NotImplementedError(f"Model '{self.name}'.quantize: keraslite does not quantize "
                                  f"models. Received: mode={mode!r}")


def _checked(model, name: str, variables: list, values: Any) -> list:
    values = list(values)
    if len(values) != len(variables):
        raise ValueError(f"Model '{model.name}' has {len(variables)} {name}. "
                         f"Received: {len(values)} values")
    return values
