"""The one step definition: ``train_step``, ``test_step`` and ``predict_step``, with the loss and
metric helpers they use. Mixed into ``Model`` through ``Trainer``.

``fit``, ``evaluate`` and ``predict`` compile exactly these methods (``training/step_loop.py``),
whether or not a subclass overrides them; so loss scaling, metric updates and the RNG happen here,
once, inside the traced scope where every variable's value is part of the carried state.
"""
from __future__ import annotations

from typing import Any

from keraslite import ops
from keraslite.backend import compute_gradients
from keraslite.training import targets
from keraslite.training.data_sources import unpack
from keraslite.utils import tree


class StepMethods:
    """Keras's overridable step API (``train_step``/``test_step``/``predict_step``,
    ``compute_loss``, ``compute_metrics``, ``metrics``)."""

    # -- metrics --------------------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        """Every metric the compiled steps update: the loss tracker, per-output losses, metrics."""
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_loss is not None and self._compile_loss.built:
            out.extend(self._compile_loss.metrics)
        if self._compile_metrics is not None:
            out.extend(self._compile_metrics.metrics)
        return out

    @property
    def metrics_names(self) -> list:
        names = ["loss"] if self._loss_tracker is not None else []
        if self._compile_loss is not None and self._compile_loss.built:
            names += [m.name for m in self._compile_loss.metrics]
        if self._compile_metrics is not None:
            names += [e[0] for e in self._compile_metrics.entries]
        return sorted(names, key=lambda n: (n != "loss", n))

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict:
        """``{name: result}`` for ``self.metrics`` (compiled metrics under their log names)."""
        names = {}
        if self._compile_metrics is not None:
            names = {id(m): name for name, m, _, _ in self._compile_metrics.entries}
        if self._loss_tracker is not None:
            names[id(self._loss_tracker)] = "loss"
        return {names.get(id(m), m.name): m.result() for m in self.metrics}

    # -- loss -----------------------------------------------------------------------------------
    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Any:
        """Total loss for one batch: compiled losses plus ``self.losses`` (regularization,
        ``add_loss``). ``y`` and ``y_pred`` are structured like the model's outputs (one array
        for one output), or flat lists aligned with ``output_names``."""
        total = None
        if self._compile_loss is not None and y_pred is not None:
            y_flat, y_pred_flat = self._flat_outputs(y, y_pred)
            if not self._compile_loss.built:
                self._compile_loss.build(self._output_names_for(len(y_pred_flat)))
            total = self._compile_loss(y_flat, y_pred_flat, sample_weight)
        for extra in self.losses:
            extra = ops.cast(ops.sum(extra), "float32")
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(
                f"Model '{self.name}' has no loss to minimize: pass loss=... to compile() (and "
                "y_pred to compute_loss()) or add losses in call() with self.add_loss(...)."
            )
        return total

    def _output_names_for(self, n_outputs):
        names = getattr(self, "_train_output_names", None)
        if names is not None and len(names) == n_outputs:
            return names
        return targets.names_for(self, n_outputs)

    def _flat_outputs(self, y, y_pred):
        y_pred_flat = tree.flatten(y_pred)
        names = self._output_names_for(len(y_pred_flat))
        if y is None:
            return None, y_pred_flat
        if isinstance(y, (list, tuple)) and len(y) == len(names) and len(names) > 1:
            return list(y), y_pred_flat
        if isinstance(y, (list, tuple)) and len(y) == 1 and len(names) == 1:
            return list(y), y_pred_flat
        return targets.flatten_targets(self.name, y, names), y_pred_flat

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict:
        """Updates the compiled metrics for one batch and returns every metric's result."""
        if self._compile_metrics is not None and y is not None:
            y_flat, y_pred_flat = self._flat_outputs(y, y_pred)
            self._compile_metrics.update_state(y_flat, y_pred_flat, sample_weight)
        return self.get_metrics_result()

    def _track_loss(self, loss, x, y_pred):
        if self._loss_tracker is None:
            return
        flat = tree.flatten(y_pred) if y_pred is not None else tree.flatten(x)
        self._loss_tracker.update_state(loss, sample_weight=ops.shape(flat[0])[0])

    # -- steps ----------------------------------------------------------------------------------
    def train_step(self, data: Any) -> dict:
        """One optimizer step on ``data`` (``x``, ``(x, y)`` or ``(x, y, sample_weight)``);
        returns the logs. ``fit`` compiles this method (or an override, e.g. a GAN's) on both
        backends. Overrides are written with ``keraslite.backend.compute_gradients`` and
        ``optimizer.apply``, like this one; ``super().train_step(data)`` works."""
        x, y, sample_weight = unpack(data, "train_step")
        optimizer = self.optimizer

        def loss_fn():
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
            # Differentiate the scaled loss (float16 loss scaling); report the real one.
            scaled = optimizer.scale_loss(loss) if optimizer is not None else loss
            return scaled, (loss, y_pred)

        trainable = self.trainable_variables
        (_, (loss, y_pred)), grads = compute_gradients(loss_fn, trainable, has_aux=True)
        if trainable:
            optimizer.apply(grads, trainable)
        self._track_loss(loss, x, y_pred)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict:
        """Loss and metrics for one batch, without updating weights; returns the logs.
        ``evaluate`` and fit's validation compile this method (or an override)."""
        x, y, sample_weight = unpack(data, "test_step")
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        self._track_loss(loss, x, y_pred)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs for one batch (``x``, or a tuple whose first item is ``x``).
        ``predict`` compiles this method (or an override)."""
        x, _, _ = unpack(data, "predict_step")
        return self(x, training=False)
