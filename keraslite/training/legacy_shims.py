"""Keras 2's ``compiled_loss`` / ``compiled_metrics`` (and the ``loss`` method), which Keras 3
keeps as deprecated shims so Keras 2-era custom ``train_step``s still run::

    loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
    ...
    self.compiled_metrics.update_state(y, y_pred)
    return {m.name: m.result() for m in self.metrics}

Each use warns (once per traced step) and computes with ``compute_loss`` / the compiled metrics.
Where Keras 3 differs from Keras 2, keraslite keeps Keras 2's meaning, because that is what these
scripts were written for: ``compiled_loss`` updates the loss tracker (the ``loss`` log is the
loss), and ``compiled_metrics.update_state`` updates the compiled metrics only. Keras 3's shim
instead feeds ``y_pred`` to every ``Mean`` in ``self.metrics``, so its ``loss`` log becomes the
mean prediction; the weights and the other metrics are the same in both.
``regularization_losses`` is ignored as in Keras 3: ``compute_loss`` already adds
``self.losses``, and adding them again would count them twice.
"""
from __future__ import annotations

import warnings
from typing import Any


class _CompiledMetrics:
    """What ``model.compiled_metrics`` returns: ``update_state`` for the compiled metrics."""

    def __init__(self, model):
        self._model = model

    def update_state(self, y: Any, y_pred: Any, sample_weight: Any = None) -> None:
        warnings.warn("`model.compiled_metrics` is deprecated (as in Keras 3). Update metrics "
                      "with `model.compute_metrics(x, y, y_pred, sample_weight)` or "
                      "`metric.update_state(...)` for each metric in `model.metrics`.",
                      stacklevel=2)
        model = self._model
        if model._compile_metrics is None or y is None:
            return
        y_flat, y_pred_flat = model._flat_outputs(y, y_pred)
        if not model._compile_metrics.built:
            # A step running before fit prepared the data (e.g. called by hand).
            model._compile_metrics.build(model._output_names_for(len(y_pred_flat)),
                                         model._compile_loss, y_flat,
                                         [tuple(p.shape) for p in y_pred_flat])
        model._compile_metrics.update_state(y_flat, y_pred_flat, sample_weight)


class LegacyShims:
    """Mixed into ``Model`` through ``Trainer``."""

    def compiled_loss(self, y: Any, y_pred: Any, sample_weight: Any = None,
                      regularization_losses: Any = None) -> Any:
        """Deprecated (Keras 3): the compiled loss plus ``self.losses``, recorded in the
        ``loss`` log. Use ``compute_loss`` in new code."""
        del regularization_losses  # compute_loss adds self.losses already
        warnings.warn("`model.compiled_loss()` is deprecated (as in Keras 3). Use "
                      "`model.compute_loss(x, y, y_pred, sample_weight, training)`.",
                      stacklevel=2)
        loss = self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self._track_loss(loss, None, y_pred)
        return loss

    @property
    def compiled_metrics(self) -> _CompiledMetrics:
        """Deprecated (Keras 3): ``compiled_metrics.update_state(y, y_pred)`` updates the
        compiled metrics."""
        return _CompiledMetrics(self)

    def loss(self, y: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Keras 2's ``model.loss(y, y_pred)``; after ``__init__`` the attribute ``loss`` is
        the ``compile`` argument instead (as in Keras 3, whose instance attribute hides this
        method the same way)."""
        warnings.warn("`model.loss()` is deprecated (as in Keras 3). Use "
                      "`model.compute_loss(x, y, y_pred, sample_weight, training)`.",
                      stacklevel=2)
        return self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)
