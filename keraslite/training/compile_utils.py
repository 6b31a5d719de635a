"""What ``compile(loss=..., loss_weights=..., metrics=...)`` turns into: losses and metrics
matched to the model's outputs (one output, a list of outputs, or named outputs).

Everything works on flat lists aligned with the model's ``output_names``; the trainer flattens
``y`` and ``y_pred`` the same way.
"""
from __future__ import annotations

import math

from keraslite import losses, metrics, ops
from keraslite import metrics as metrics_mod
from keraslite.utils import tree

_SPARSE_LOSSES = ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy")


def _per_output(spec, output_names, what):
    """Spreads a compile argument over the outputs: a single value applies to every output."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in output_names]
        if unknown:
            raise ValueError(
                f"compile({what}=...) names outputs {unknown} that the model does not have. "
                f"Output names: {output_names}"
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)):
        if what == "metrics" and n == 1 and not any(isinstance(s, (list, tuple, dict)) for s in spec):
            return [list(spec)]
        if len(spec) != n:
            raise ValueError(
                f"compile({what}=...) got a list of {len(spec)} entries for a model with {n} "
                f"output(s) {output_names}. Pass one entry per output, or a dict by output name."
            )
        return list(spec)
    return [spec] * n


def is_builtin_loss(spec) -> bool:
    """True for keraslite's own losses (by name, class or function): only for those is the
    target layout known, so only those get their targets' shapes checked before training. A
    lambda or a user's Loss subclass may take any layout (Keras trains them unchecked)."""
    try:
        resolved = losses.get(spec)
    except (ValueError, TypeError):
        return False
    if type(resolved) is losses.LossFunctionWrapper:
        resolved = resolved.fn
    module = (type(resolved).__module__ if isinstance(resolved, losses.Loss)
              else getattr(resolved, "__module__", "") or "")
    return module.startswith("keraslite.losses")


def _checked_loss_weight(value, where):
    """A loss weight as a finite float (a NaN weight would surface as a NaN loss mid-fit)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(
            value, "__float__"):
        raise TypeError(f"compile(loss_weights=...) expects numbers; {where} is "
                        f"{type(value).__name__}: {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"compile(loss_weights=...) must hold finite numbers; {where} is "
                         f"{number}.")
    return number


def _loss_name(loss):
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", type(loss).__name__)


class CompileLoss:
    """The total loss: sum over outputs of ``weight * loss(y_true, y_pred, sample_weight)``."""

    def __init__(self, loss, loss_weights=None):

        self.spec = loss
        self.weights_spec = loss_weights
        for item in tree.flatten(loss) if isinstance(loss, (list, tuple, dict)) else [loss]:
            if item is not None:
                losses.get(item)  # unknown names fail at compile time, not in the middle of fit
        self.built = False

    def build(self, output_names):

        self.output_names = list(output_names)
        specs = _per_output(self.spec, self.output_names, "loss")
        if self.weights_spec is None:
            weights = [1.0] * len(specs)
        else:
            weights = _per_output(self.weights_spec, self.output_names, "loss_weights")
            where = [f"the weight of output '{name}'" for name in self.output_names]
            weights = [1.0 if w is None else _checked_loss_weight(w, where[i])
                       for i, w in enumerate(weights)]
        self.entries = []
        for i, (spec, weight) in enumerate(zip(specs, weights)):
            if spec is not None:
                loss = losses.get(spec)
                if not isinstance(loss, losses.Loss):
                    loss = losses.LossFunctionWrapper(loss, name=_loss_name(spec))
                self.entries.append((i, loss, weight, spec))
        if not self.entries:
            raise ValueError("compile(loss=...) gives no loss for any output of the model.")
        multi = len(self.output_names) > 1
        self.trackers = {}
        if multi:
            for i, _, _, _ in self.entries:
                name = f"{self.output_names[i]}_loss"
                self.trackers[i] = metrics.Mean(name=name)
        self.built = True

    def is_sparse(self, index):
        for i, _, _, spec in self.entries:
            if i == index:
                name = _loss_name(spec)
                return is_builtin_loss(spec) and (
                    name in _SPARSE_LOSSES or type(spec).__name__ in _SPARSE_LOSSES)
        return False

    def knows_targets(self, index):
        """Whether the loss of output ``index`` has a known target layout (a built-in loss)."""
        spec = self.loss_for(index)
        return spec is not None and is_builtin_loss(spec)

    def loss_for(self, index):
        for i, loss, _, spec in self.entries:
            if i == index:
                return spec
        return None

    def __call__(self, y_true, y_pred, sample_weight=None):
        total = None
        for i, loss, weight, _ in self.entries:
            value = loss(y_true[i], y_pred[i], sample_weight=sample_weight)
            value = ops.cast(value, "float32")
            if i in self.trackers:
                batch = ops.shape(y_pred[i])[0]
                self.trackers[i].update_state(value, sample_weight=batch)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        return total

    @property
    def metrics(self):
        return list(self.trackers.values())


class CompileMetrics:
    """Metrics per output, with Keras's log names (``accuracy`` or ``<output>_accuracy``)."""

    def __init__(self, metrics=None, weighted_metrics=None):

        self.spec = metrics
        self.weighted_spec = weighted_metrics
        for spec in (metrics, weighted_metrics):
            for item in tree.flatten(spec) if isinstance(spec, (list, tuple, dict)) else [spec]:
                if isinstance(item, str) and item not in ("accuracy", "acc", "crossentropy", "ce"):
                    metrics_mod.get(item)  # unknown names fail at compile time
        self.entries = []  # (log name, metric, output index, weighted)
        self.built = False

    def build(self, output_names, compile_loss, y_true, y_pred_shapes):

        self.entries = []
        multi = len(output_names) > 1
        for spec, weighted in ((self.spec, False), (self.weighted_spec, True)):
            if spec is None:
                continue
            per_output = _per_output(spec, list(output_names), "metrics")
            for i, items in enumerate(per_output):
                if items is None:
                    continue
                for item in items if isinstance(items, (list, tuple)) else [items]:
                    metric = self._resolve(item, compile_loss, i, y_true, y_pred_shapes, metrics_mod)
                    if hasattr(metric, "build") and not getattr(metric, "built", True):
                        # Shape-dependent state (F1Score, R2Score, multi-label AUC) must exist
                        # before the compiled step collects the metric variables.
                        y_shape = tuple(y_true[i].shape) if y_true is not None else y_pred_shapes[i]
                        metric.build(y_shape, y_pred_shapes[i])
                    name = metric.name
                    if isinstance(item, str):
                        name = item
                    if multi:
                        name = f"{output_names[i]}_{name}"
                    if weighted and self.spec is not None:
                        name = f"weighted_{name}" if any(e[0] == name for e in self.entries) else name
                    self.entries.append((name, metric, i, weighted))
        self.built = True

    @staticmethod
    def _resolve(item, compile_loss, index, y_true, y_pred_shapes, metrics_mod):
        """A Metric for a name (accuracy strings resolved from shapes, like Keras), a Metric
        instance, or a plain ``fn(y_true, y_pred)`` (wrapped, named after the function)."""
        if isinstance(item, str):
            loss = compile_loss.loss_for(index) if compile_loss is not None else None
            y_shape = tuple(y_true[index].shape) if y_true is not None else y_pred_shapes[index]
            return metrics_mod.resolve_accuracy(item, loss, y_shape, y_pred_shapes[index])
        metric = metrics_mod.get(item)
        if not isinstance(metric, metrics_mod.Metric):
            metric = metrics_mod.MeanMetricWrapper(metric, name=getattr(metric, "__name__", None))
        return metric

    def update_state(self, y_true, y_pred, sample_weight=None):
        for _, metric, i, weighted in self.entries:
            metric.update_state(y_true[i], y_pred[i],
                                sample_weight=sample_weight if weighted else None)

    @property
    def metrics(self):
        return [m for _, m, _, _ in self.entries]

    def results(self):
        return {name: metric.result() for name, metric, _, _ in self.entries}
