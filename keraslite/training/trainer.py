"""Trainer: compile / fit / evaluate / predict / *_on_batch, mixed into ``Model``.

The speed comes from three choices (DESIGN.md principle 3):
1. one pure step ``(params, carry, batch) -> carry`` over the whole state (weights, optimizer,
   metrics, RNG), traced once and compiled by the backend (``jax.jit`` with the state donated;
   ``tf.function``);
2. many steps per compiled call, with the fit data resident on the device and batches gathered
   by index inside the loop (see ``backends/<name>/compile.py``);
3. Python ``Variable`` objects are not updated per step: a ``StateHolder`` keeps the live values
   and hands them out only when somebody reads a variable (see ``training/state.py``).

A last partial batch runs through a second compiled loop of that batch size (compiled once per
distinct size), so no padding or masking changes the numbers.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from keraslite.backends import compile as B_compile
from keraslite.backends import core
from keraslite.training.data import (ArrayData, check_positive_int, repack, signature,
                                     unpack_validation_data)
from keraslite.training.state import HeldState
from keraslite.utils import tree
from keraslite.variables import StatelessScope

# Target wall time of one compiled call when a progress bar wants regular updates.
_BLOCK_SECONDS = 0.2
# Batches gathered per compiled call from a data source whose length is unknown.
_STREAM_BLOCK = 32


class NotCompiledError(RuntimeError, ValueError):
    """Raised when fit/evaluate/train_on_batch runs before ``compile``."""


class NonFiniteLossError(ValueError):
    """Raised by ``fit`` when the loss becomes NaN or infinite (the default, like Keras's
    ``TerminateOnNaN`` but loud). The model keeps the weights it had when the check ran
    (after each block of steps with a progress bar or batch callbacks, else after each epoch).
    A smaller learning rate or gradient clipping (``clipnorm``) usually avoids it."""


class Trainer:
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._functions = {}
        self.steps_per_execution = "auto"
        self.jit_compile = "auto"
        self._custom_logs = {}

    # -- compile ----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution="auto",
                jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training (Keras ``Model.compile`` arguments)."""
        from keraslite import metrics as metrics_mod
        from keraslite import optimizers
        from keraslite.training.compile_utils import CompileLoss, CompileMetrics

        self._compile_arguments = {
            "loss": loss, "loss_weights": loss_weights, "metrics": metrics,
            "weighted_metrics": weighted_metrics, "run_eagerly": bool(run_eagerly),
            "steps_per_execution": steps_per_execution, "jit_compile": jit_compile,
            "auto_scale_loss": bool(auto_scale_loss),
        }
        self.optimizer = optimizers.get(optimizer)
        if auto_scale_loss and self.dtype_policy == "mixed_float16" and not isinstance(
                self.optimizer, optimizers.LossScaleOptimizer):
            # float16 gradients underflow without dynamic loss scaling (as in Keras).
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer)
        self.loss = loss
        self._compile_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics)
        self._loss_tracker = metrics_mod.Mean(name="loss")
        if steps_per_execution != "auto":
            steps_per_execution = check_positive_int(steps_per_execution, "steps_per_execution")
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self.run_eagerly = bool(run_eagerly)
        self._functions = {}
        self.compiled = True

    def _assert_compiled(self, method):
        if not self.compiled:
            raise NotCompiledError(
                f"You must call compile() before {method}() on model '{self.name}': "
                "e.g. model.compile(optimizer='adam', loss='mse')."
            )

    @property
    def metrics(self):
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
    def metrics_names(self):
        return sorted(self._metric_results_names(), key=lambda n: (n != "loss", n))

    def _metric_results_names(self):
        names = ["loss"] if self._loss_tracker is not None else []
        if self._compile_loss is not None and self._compile_loss.built:
            names += [m.name for m in self._compile_loss.metrics]
        if self._compile_metrics is not None:
            names += [e[0] for e in self._compile_metrics.entries]
        return names

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Total loss for one batch: compiled losses plus ``self.losses`` (regularization,
        ``add_loss``). ``y`` and ``y_pred`` are structured like the model's outputs (or flat lists
        aligned with ``output_names``)."""
        from keraslite import ops

        total = None
        if self._compile_loss is not None:
            y_flat, y_pred_flat = self._flat_outputs(y, y_pred)
            total = self._compile_loss(y_flat, y_pred_flat, sample_weight)
        for extra in self.losses:
            extra = ops.cast(ops.sum(extra), "float32")
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(
                f"Model '{self.name}' has no loss to minimize: pass loss=... to compile() or add "
                "losses in call() with self.add_loss(...)."
            )
        return total

    def _flat_outputs(self, y, y_pred):
        y_pred_flat = tree.flatten(y_pred)
        names = getattr(self, "_train_output_names", None) or self._output_names_for_training()
        if len(names) != len(y_pred_flat):
            names = [f"output_{i}" for i in range(len(y_pred_flat))]
        y_flat = None if y is None else self._flatten_targets(y, names)
        return y_flat, y_pred_flat

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics for one batch and returns every metric's result."""
        if self._compile_metrics is not None and y is not None:
            y_flat, y_pred_flat = self._flat_outputs(y, y_pred)
            self._compile_metrics.update_state(y_flat, y_pred_flat, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """``{name: result}`` for ``self.metrics`` (compiled metrics under their log names)."""
        names = {}
        if self._compile_metrics is not None:
            names = {id(m): name for name, m, _, _ in self._compile_metrics.entries}
        if self._loss_tracker is not None:
            names[id(self._loss_tracker)] = "loss"
        return {names.get(id(m), m.name): m.result() for m in self.metrics}

    def train_step(self, data):
        """One optimizer step on ``data`` (``(x, y)`` or ``(x, y, sample_weight)``); returns the
        logs. Override it for custom training (a GAN, say): the override runs compiled inside
        ``fit`` on both backends. Write it with ``keraslite.backend.compute_gradients`` and
        ``optimizer.apply``, like this default."""
        from keraslite import ops
        from keraslite.backend import compute_gradients
        from keraslite.training.data_sources import unpack

        x, y, sample_weight = unpack(data, "train_step")

        def loss_fn():
            y_pred = self(x, training=True)
            return self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight), y_pred

        (loss, y_pred), grads = compute_gradients(loss_fn, self.trainable_variables, has_aux=True)
        self.optimizer.apply(grads, self.trainable_variables)
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(loss, sample_weight=ops.shape(tree.flatten(y_pred)[0])[0])
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """Loss and metrics for one batch, without updating weights; returns the logs. Override
        it to evaluate differently (e.g. a GAN's discriminator accuracy): the override runs
        compiled inside ``evaluate`` and fit's validation on both backends."""
        from keraslite import ops
        from keraslite.training.data_sources import unpack

        x, y, sample_weight = unpack(data, "test_step")
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(loss, sample_weight=ops.shape(tree.flatten(y_pred)[0])[0])
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _custom_train_step(self):
        return type(self).train_step is not Trainer.train_step

    def _custom_test_step(self):
        return type(self).test_step is not Trainer.test_step

    def _held(self, cls, start):
        """``start`` plus every ``cls`` instance set as an attribute (or in a list/tuple one),
        each once: the metrics and optimizers a custom step may use."""
        found = [x for x in start if x is not None]
        for value in vars(self).values():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, cls) and not any(item is x for x in found):
                    found.append(item)
        return found

    def _all_metrics(self):
        """Every metric the model holds: the compiled ones and those set as attributes."""
        from keraslite.metrics import Metric

        return self._held(Metric, self.metrics)

    def _all_metric_variables(self):
        return [v for m in self._all_metrics() for v in m.variables]

    def _all_state_variables(self):
        """Every variable a custom train_step may touch: the model's, and those of every optimizer
        and metric held by the model (e.g. a GAN's two optimizers and loss trackers)."""
        from keraslite.optimizers import Optimizer

        holders = self._held(Optimizer, [self.optimizer]) + self._all_metrics()
        seen, out = set(), []
        for var in list(self.variables) + [v for h in holders for v in h.variables]:
            if id(var) not in seen:
                seen.add(id(var))
                out.append(var)
        return out

    def _prebuild_custom_step(self, data, kind="train"):
        """Runs the custom train_step (or test_step) once abstractly so lazily created state
        (optimizer slots, metric variables) exists before the compiled step collects it."""
        from keraslite.ops.keras_tensor import KerasTensor

        flag = f"_custom_{kind}_step_built"
        if getattr(self, flag, False):
            return
        user_step = self.train_step if kind == "train" else self.test_step
        flat, template = data.flat()
        specs = [KerasTensor((None,) + tuple(a.shape[1:]), _model_dtype(a)) for a in flat]

        def run(*arrays):
            user_step(_user_batch(repack(template, list(arrays))))
            return arrays[0]

        with StatelessScope():
            core.compute_output_spec(run, tuple(specs), {})
        setattr(self, flag, True)

    # -- building for data ------------------------------------------------------------------
    def _output_names_for_training(self):
        names = getattr(self, "output_names", None)
        if callable(names):
            names = names()
        return list(names) if names else [self.name]

    def _num_classes(self):
        """The class count of a single-output classifier (for class_weight; 2 for one sigmoid
        unit), None if unknown."""
        shape = getattr(self, "output_shape", None)
        if not isinstance(shape, (tuple, list)) or not shape or not isinstance(shape[-1], int):
            return None  # unknown, or several outputs (a list of shapes)
        return max(shape[-1], 2)

    def _prepare(self, data, need_y=True):
        """Builds the model, the losses and metrics for this data; returns flat y_pred specs."""
        from keraslite.ops.keras_tensor import KerasTensor

        if self._custom_train_step() and self._compile_loss is None:
            # The user's train_step decides how x is used (a GAN's call takes noise, not x),
            # so the model is not run on x here; the train step builds what it needs.
            self._train_output_names = [self.name]
            return []
        x_spec = tree.map_structure(
            lambda a: KerasTensor((None,) + tuple(a.shape[1:]), _model_dtype(a)), data.x
        )
        if not self.built:
            self._maybe_build(x_spec)
        # Check the real data against the model's inputs before any abstract evaluation, so
        # errors show the data's own shapes.
        self._check_input_spec(data.x)
        outputs = getattr(self, "_symbolic_outputs_cache", None)
        key = tree.describe(x_spec)
        if outputs is None or outputs[0] != key:
            from keraslite.layers.layer import Layer

            spec = Layer.compute_output_spec(self, x_spec)
            self._symbolic_outputs_cache = (key, tree.flatten(spec), spec)
        _, flat_specs, spec = self._symbolic_outputs_cache
        output_names = self._output_names_for_training()
        if len(output_names) != len(flat_specs):
            output_names = [f"output_{i}" for i in range(len(flat_specs))] if len(flat_specs) > 1 \
                else [self.name]
        self._train_output_names = output_names
        y_flat = None
        if need_y and data.y is not None:
            y_flat = self._flatten_targets(data.y, output_names)
            data.y = y_flat
        if self._compile_loss is not None and not self._compile_loss.built:
            self._compile_loss.build(output_names)
        if self._compile_metrics is not None and not self._compile_metrics.built:
            self._compile_metrics.build(output_names, self._compile_loss, y_flat,
                                        [s.shape for s in flat_specs])
        if y_flat is not None:
            self._check_targets(y_flat, flat_specs, output_names)
        return flat_specs

    def _flatten_targets(self, y, output_names):
        n = len(output_names)
        if isinstance(y, dict):
            missing = [k for k in output_names if k not in y]
            unknown = [k for k in y if k not in output_names]
            if missing or unknown:
                raise ValueError(
                    f"Model '{self.name}' has outputs {output_names}; y has keys {sorted(y)}. "
                    f"Missing: {missing}. Unknown: {unknown}."
                )
            return [y[k] for k in output_names]
        if isinstance(y, list):
            if len(y) != n:
                raise ValueError(
                    f"Model '{self.name}' has {n} output(s) {output_names} but y holds {len(y)} "
                    "arrays. Pass one target array per output."
                )
            return list(y)
        if n != 1:
            raise ValueError(
                f"Model '{self.name}' has {n} outputs {output_names}; pass y as a list or a dict "
                f"of {n} arrays. Received one array of shape {y.shape}."
            )
        return [y]

    def _check_targets(self, y_flat, specs, output_names):
        if self._compile_loss is None:
            return
        for i, (y, spec) in enumerate(zip(y_flat, specs)):
            if y is None or self._compile_loss.loss_for(i) is None:
                continue
            out_shape = tuple(spec.shape)
            where = f"output '{output_names[i]}'" if len(output_names) > 1 else "the model output"
            if self._compile_loss.is_sparse(i):
                classes = out_shape[-1]
                expected = out_shape[1:-1]
                got = tuple(y.shape[1:])
                if got not in (expected, expected + (1,)):
                    raise ValueError(
                        f"Sparse labels for {where} must have shape (batch,{' ' if expected else ''}"
                        f"{', '.join(map(str, expected))}) with integer class ids, for an output "
                        f"of shape {out_shape}. Received y of shape {tuple(y.shape)}. For one-hot "
                        "labels use loss='categorical_crossentropy'."
                    )
                if y.dtype.kind == "f" and not np.all(np.equal(np.mod(y, 1), 0)):
                    raise ValueError(
                        f"Sparse labels for {where} must be integer class ids; received "
                        "non-integer values."
                    )
                if classes is not None and y.size:
                    low, high = int(np.min(y)), int(np.max(y))
                    if low < 0 or high >= classes:
                        raise ValueError(
                            f"Sparse labels for {where} must be in [0, {classes - 1}] (the output "
                            f"has {classes} classes). Received labels from {low} to {high}."
                        )
                continue
            got = tuple(y.shape[1:])
            want = out_shape[1:]
            squeezable = (got + (1,) == want) or (want + (1,) == got)
            if len(got) == len(want) and all(
                w is None or g == w for g, w in zip(got, want)
            ) or squeezable:
                continue
            raise ValueError(
                f"Targets for {where} have shape {tuple(y.shape)}, but the output has shape "
                f"{out_shape}. Every dimension after the batch must match (e.g. one-hot labels "
                f"with {want[-1] if want else 1} columns, or integer labels with "
                "loss='sparse_categorical_crossentropy')."
            )

    def _state_groups(self):
        trainable = self.trainable_weights
        trainable_ids = {id(v) for v in trainable}
        non_trainable = [v for v in self.variables if id(v) not in trainable_ids]
        return trainable, non_trainable

    def _ensure_optimizer_built(self, trainable):
        """Builds the optimizer over every weight created trainable, frozen ones included, so
        unfreezing a layer later needs no recompile (each step updates only the variables that
        are trainable then). With layers frozen at the first fit, ``summary()`` therefore counts
        optimizer slots for them too, unlike Keras."""
        if not self.optimizer.built:
            self.optimizer.build([v for v in self.weights
                                  if getattr(v, "_owner_trainable", v.trainable)])

    # -- the pure steps ---------------------------------------------------------------------
    def _train_groups(self):
        """The state of a training step: trainable, non-trainable, optimizer, metric variables."""
        tvars, ntvars = self._state_groups()
        ovars = list(self.optimizer.variables)
        mvars = [v for m in self.metrics for v in m.variables]
        return tvars, ntvars, ovars, mvars

    def _make_train_step(self, template):
        tvars, ntvars, ovars, mvars = self._train_groups()
        optimizer = self.optimizer

        def train_step(params, carry, batch):
            tv, ntv, ov, mv = carry
            x, y, sw = repack(template, batch)

            def loss_fn(tv_values):
                with StatelessScope(list(zip(tvars, tv_values)) + list(zip(ntvars, ntv))) as scope:
                    self._clear_losses()
                    y_pred = tree.flatten(self(x, training=True))
                    loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sw)
                    new_ntv = [scope.current(v) for v in ntvars]
                # Differentiate the scaled loss (loss scaling for float16); log the real one.
                return optimizer.scale_loss(loss), (loss, y_pred, new_ntv)

            (_, (loss, y_pred, ntv)), grads = core.value_and_grad(loss_fn, has_aux=True)(list(tv))
            with StatelessScope(list(zip(tvars, tv)) + list(zip(ovars, ov))) as scope:
                optimizer.apply(grads, tvars)
                tv = [scope.current(v) for v in tvars]
                ov = [scope.current(v) for v in ovars]
            with StatelessScope(list(zip(mvars, mv))) as scope:
                self._update_metrics(loss, x, y, y_pred, sw)
                mv = [scope.current(v) for v in mvars]
            return [list(tv), list(ntv), list(ov), list(mv)]

        return train_step, (tvars, ntvars, ovars, mvars)

    def _make_test_step(self, template):
        tvars, ntvars = self._state_groups()
        mvars = [v for m in self.metrics for v in m.variables]

        def test_step(params, carry, batch):
            tv, ntv = params
            (mv,) = carry
            x, y, sw = repack(template, batch)
            with StatelessScope(list(zip(tvars, tv)) + list(zip(ntvars, ntv)) +
                                list(zip(mvars, mv))) as scope:
                self._clear_losses()
                y_pred = tree.flatten(self(x, training=False))
                loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sw, training=False)
                self._update_metrics(loss, x, y, y_pred, sw)
                mv = [scope.current(v) for v in mvars]
            return [list(mv)]

        return test_step, (tvars, ntvars, mvars)

    def _update_metrics(self, loss, x, y, y_pred, sw):
        from keraslite import ops

        batch = ops.shape(y_pred[0])[0] if y_pred else ops.shape(tree.flatten(x)[0])[0]
        self._loss_tracker.update_state(loss, sample_weight=batch)
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sw)

    def _metric_results(self):
        logs = {}
        if self._loss_tracker is not None:
            logs["loss"] = self._loss_tracker.result()
        if self._compile_loss is not None and self._compile_loss.built:
            for metric in self._compile_loss.metrics:
                logs[metric.name] = metric.result()
        if self._compile_metrics is not None:
            logs.update(self._compile_metrics.results())
        return dict(sorted(logs.items()))

    def _logs_function(self, mvars):
        key = ("logs", tuple(id(v) for v in mvars))
        fn = self._functions.get(key)
        if fn is None:
            def logs_fn(mv):
                with StatelessScope(list(zip(mvars, mv))):
                    return self._metric_results()

            fn = self._functions[key] = B_compile.compile_function(logs_fn, self._jit())
        return fn

    def _jit(self):
        if getattr(self, "run_eagerly", False):
            return False
        # "auto" lets the backend decide: XLA on JAX; on TensorFlow, XLA unless the step holds
        # convolutions (see backends/tensorflow/compile.py).
        if self.jit_compile == "auto":
            return "auto"
        return bool(self.jit_compile)

    def _loop(self, kind, batch_size, template):
        """The compiled multi-step loop for ``kind`` ('train'/'test') and one batch size."""
        tvars, ntvars = self._state_groups()
        key = (kind, batch_size, signature(template), tuple(id(v) for v in tvars),
               len(ntvars), self._jit())
        entry = self._functions.get(key)
        if entry is None and kind == "train" and self._custom_train_step():
            entry = self._functions[key] = (
                _UserStepLoop(self, self.train_step, template, batch_size, [],
                              self._all_state_variables()), None)
        if entry is None and kind == "test" and self._custom_test_step():
            entry = self._functions[key] = (
                _UserStepLoop(self, self.test_step, template, batch_size, list(self.variables),
                              self._all_metric_variables()), None)
        if entry is None:
            if kind == "train":
                step, groups = self._make_train_step(template)
            else:
                step, groups = self._make_test_step(template)
            loop = B_compile.compile_loop(step, batch_size, jit_compile=self._jit())
            entry = self._functions[key] = (loop, groups)
        return entry

    # -- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model; returns a ``History`` (Keras ``Model.fit``).

        ``x`` may be arrays (or lists/dicts of arrays) with ``y``, or a source of batches: a
        generator, a ``keraslite.utils.PyDataset``, a ``tf.data.Dataset`` or any iterable of
        ``(x, y[, sample_weight])`` tuples."""
        from keraslite.callbacks import CallbackList

        self._assert_compiled("fit")
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer. Received: epochs={epochs!r}")
        steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch", allow_none=True)
        verbose = 1 if verbose == "auto" else int(verbose)
        train = self._feeder(x, y, sample_weight, batch_size, "train", "fit", shuffle,
                             steps_per_epoch, class_weight=class_weight,
                             validation_split=validation_split)
        if isinstance(train, tuple):
            train, val = train
        else:
            val = None
        if validation_data is not None:
            val = self._validation_feeder(validation_data, validation_batch_size or batch_size,
                                          validation_steps)
        tvars, _ = self._state_groups()
        self._ensure_optimizer_built(tvars)
        steps = train.steps()
        callbacks = CallbackList(_backups_last(callbacks), add_history=True,
                                 add_progbar=verbose != 0, model=self, verbose=verbose,
                                 epochs=epochs, steps=steps)
        if self._custom_train_step():
            self._prebuild_custom_step(train.first_data())
            groups = [self._all_state_variables()]
            logs_of = lambda values: self._custom_logs  # noqa: E731  (set by _UserStepLoop)
        else:
            groups = self._train_groups()
            metric_logs = self._logs_function(groups[3])
            logs_of = lambda values: metric_logs(values[3])  # noqa: E731
        needs_logs = bool(callbacks.needs_train_batch_hooks) or verbose == 1
        # With a TerminateOnNaN callback, a NaN/inf loss stops fit cleanly (the callback sets
        # stop_training) instead of raising NonFiniteLossError.
        check_loss = _ignore_loss if callbacks.stops_on_nonfinite_loss else _check_finite_loss
        block = self._block_size(callbacks, verbose, steps)
        rng = self._shuffle_rng = _shuffle_rng()
        self.stop_training = False
        self._fit_callbacks, self._resume_point = callbacks, None
        epoch_logs = {}
        with HeldState(groups) as holder:
            callbacks.on_train_begin()
            # A BackupAndRestore callback may have restored a backup: carry on from its point.
            resume = self._resume_point or {}
            first_epoch = resume.get("epoch", initial_epoch)
            if resume:
                rng.bit_generator.state = resume["shuffle_state"]
            for epoch in range(first_epoch, epochs):
                start_step = resume.get("step", 0) if epoch == first_epoch else 0
                if start_step == 0:
                    self.reset_metrics()  # mid-epoch, the restored accumulators carry on
                self._epoch_shuffle_state = rng.bit_generator.state
                callbacks.on_epoch_begin(epoch)
                step = start_step
                batch_logs = {}
                for loop, data, order, offset, n in train.blocks(block, rng, start_step):
                    callbacks.on_train_batch_begin(step)
                    started = time.perf_counter()
                    holder.values = loop((), holder.values, data, order, offset, n)
                    step += n
                    if needs_logs:
                        batch_logs = _to_floats(logs_of(holder.values))
                        check_loss(batch_logs, epoch, step)
                    block.observe(n, time.perf_counter() - started)
                    callbacks.on_train_batch_end(step - 1, batch_logs)
                    if self.stop_training:
                        break
                if step == 0:
                    if epoch == first_epoch:
                        raise ValueError(
                            "fit() got no batches from its data source in the first epoch. "
                            "Pass data with at least one batch."
                        )
                    warnings.warn(
                        f"The data source ran out of batches at epoch {epoch + 1}: training stops. "
                        "Use an infinite generator (with steps_per_epoch) or a re-iterable "
                        "source such as a PyDataset or tf.data.Dataset for several epochs.",
                        stacklevel=2,
                    )
                    break
                train.on_epoch_end()
                epoch_logs = _to_floats(logs_of(holder.values))
                check_loss(epoch_logs, epoch, step)
                if val is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._run_test(val, holder, callbacks)
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                callbacks.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        # With use_ema, the weights become their moving averages once training ends (Keras).
        self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(epoch_logs)
        return self.history

    def _feeder(self, x, y, sample_weight, batch_size, kind, what, shuffle=False, steps=None,
                class_weight=None, validation_split=0.0):
        """A feeder for ``x`` (arrays or a batch source), with the model built for its data.
        With ``validation_split`` on arrays, returns ``(train_feeder, validation_feeder)``."""
        from keraslite.training.data_sources import is_stream, make_source
        from keraslite.training.feeders import ArrayFeeder, StreamFeeder

        if is_stream(x):
            for name, value in (("y", y), ("sample_weight", sample_weight),
                                ("class_weight", class_weight)):
                if value is not None:
                    raise ValueError(
                        f"{what}() got {name}= together with a dataset or generator as x. Put the "
                        "targets and weights in the batches instead: (x, y) or (x, y, sample_weight)."
                    )
            if validation_split:
                raise ValueError(
                    "validation_split only works with arrays; with a dataset or generator pass "
                    "validation_data=... instead."
                )
            feeder = StreamFeeder(self, make_source(x, what), kind, what, steps)
            first = feeder.first_data()
            if kind == "train" and first.y is None and self._compile_loss is not None:
                raise ValueError(
                    f"{what}() needs targets: the batches from the data source hold only x. Yield "
                    "(x, y) tuples."
                )
            self._prepare(first, need_y=kind != "predict")
            return feeder
        data = ArrayData(x, y, sample_weight, what=what)
        if kind == "train" and data.y is None and self._compile_loss is not None:
            raise ValueError(
                f"{what}() on model '{self.name}' needs targets y for the compiled loss. "
                "Received: y=None"
            )
        val = None
        if validation_split:
            data, val_data = data.split(float(validation_split))
            self._prepare(val_data)
            val = ArrayFeeder(self, val_data, batch_size, "test")
        self._prepare(data, need_y=kind != "predict")
        if class_weight is not None:
            data.sample_weight = _class_weights_to_sample_weights(class_weight, data,
                                                                  self._num_classes())
        feeder = ArrayFeeder(self, data, batch_size, kind, shuffle=shuffle, steps=steps)
        return (feeder, val) if validation_split else feeder

    def _validation_feeder(self, validation_data, batch_size, steps):
        from keraslite.training.data_sources import is_stream

        steps = check_positive_int(steps, "validation_steps", allow_none=True)
        if is_stream(validation_data):
            return self._feeder(validation_data, None, None, batch_size, "test",
                                "fit(validation_data)", steps=steps)
        data = unpack_validation_data(validation_data)
        return self._feeder(data.x, data.y, data.sample_weight, batch_size, "test",
                            "fit(validation_data)", steps=steps)

    def _block_size(self, callbacks, verbose, steps):
        if self.steps_per_execution != "auto":
            return _FixedBlock(self.steps_per_execution)
        if callbacks.needs_train_batch_hooks:
            return _FixedBlock(1)
        if steps is None:
            # A stream of unknown length: gather this many batches per compiled call.
            return _FixedBlock(_STREAM_BLOCK)
        if verbose == 1:
            return _TimedBlock(steps)
        return _FixedBlock(max(steps, 1))

    # -- evaluate -----------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on the given data (Keras ``Model.evaluate``); ``x`` may be arrays
        or a source of batches, as for ``fit``."""
        from keraslite.callbacks import CallbackList

        self._assert_compiled("evaluate")
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        steps = check_positive_int(steps, "steps", allow_none=True)
        feeder = self._feeder(x, y, sample_weight, batch_size, "test", "evaluate", steps=steps)
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=feeder.steps())
        tvars, ntvars = self._state_groups()
        with HeldState([tvars, ntvars]) as holder:
            logs = self._run_test(feeder, holder, cbs)
        return self._format_logs(logs, return_dict)

    def _format_logs(self, logs, return_dict):
        if return_dict:
            return logs
        names = sorted(logs, key=lambda n: (n != "loss", n))
        values = [logs[n] for n in names]
        return values[0] if len(values) == 1 else values

    def _run_test(self, feeder, holder, callbacks=None):
        """Runs the compiled test loop over a feeder's blocks; returns the logs as floats."""
        custom = self._custom_test_step()
        if custom:
            self._prebuild_custom_step(feeder.first_data(), kind="test")
            mvars = self._all_metric_variables()
        else:
            mvars = [v for m in self.metrics for v in m.variables]
        for metric in self._all_metrics() if custom else self.metrics:
            metric.reset_state()
        mv = [v._stored_value() for v in mvars]
        # Weights are read through the variables (live values while fit holds them), so this
        # works for every state layout, custom train steps included.
        if custom:
            params = [v.value for v in self.variables]
        else:
            tvars, ntvars = self._state_groups()
            params = [[v.value for v in tvars], [v.value for v in ntvars]]
        if callbacks is not None:
            callbacks.on_test_begin()
        step = 0
        for loop, data, order, offset, n in feeder.blocks(_FixedBlock(feeder.steps() or 1 << 30)):
            (mv,) = loop(params, [mv], data, order, offset, n)
            step += n
        if step == 0:
            raise ValueError("evaluation got no batches from its data source.")
        logs = _to_floats(self._custom_logs if custom else self._logs_function(mvars)(mv))
        if callbacks is not None:
            callbacks.on_test_batch_end(step - 1, logs)
            callbacks.on_test_end(logs)
        for var, value in zip(mvars, mv):
            var.assign(value)
        return logs

    # -- predict ------------------------------------------------------------------------------
    def _predict_function(self):
        tvars, ntvars = self._state_groups()
        key = ("predict", tuple(id(v) for v in tvars), len(ntvars), self._jit())
        fn = self._functions.get(key)
        if fn is None:
            def predict_fn(tv, ntv, x):
                with StatelessScope(list(zip(tvars, tv)) + list(zip(ntvars, ntv))):
                    return self(x, training=False)

            fn = self._functions[key] = (B_compile.compile_function(predict_fn, self._jit()),
                                         tvars, ntvars)
        return fn

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for the inputs, as NumPy arrays (Keras ``Model.predict``); ``x`` may
        be arrays or a source of batches (targets in the batches are ignored)."""
        from keraslite.training.data_sources import is_stream, make_source

        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        steps = check_positive_int(steps, "steps", allow_none=True)
        if is_stream(x):
            source = make_source(x, "predict")
            if not self.built:
                self._prepare(_first_batch(source), need_y=False)
            from keraslite.training.feeders import predict_batches

            batches = predict_batches(source, "predict")
            total_steps = source.steps() if steps is None else steps
        else:
            data = ArrayData(x, None, None, what="predict")
            if not self.built:
                self._prepare(data, need_y=False)
            n = data.num_samples
            total_steps = -(-n // batch_size) if steps is None else min(-(-n // batch_size), steps)
            batches = (tree.map_structure(lambda a: a[i * batch_size:(i + 1) * batch_size], data.x)
                       for i in range(total_steps))
        fn, tvars, ntvars = self._predict_function()
        tv = [v.value for v in tvars]
        ntv = [v.value for v in ntvars]
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = None
        if verbose or callbacks:
            from keraslite.callbacks import CallbackList

            cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                               epochs=1, steps=total_steps)
            cbs.on_predict_begin()
        outputs = []
        for step, xb in enumerate(batches):
            if total_steps is not None and step >= total_steps:
                break
            outputs.append(fn(tv, ntv, xb))
            if cbs is not None and cbs.needs_predict_batch_hooks:
                cbs.on_predict_batch_end(step, {"outputs": outputs[-1]})
        if not outputs:
            raise ValueError("predict() got no batches from its data source.")
        if cbs is not None:
            if not cbs.needs_predict_batch_hooks:
                cbs.on_predict_batch_end(len(outputs) - 1, {"outputs": outputs[-1]})
            cbs.on_predict_end()
        converted = [tree.map_structure(core.convert_to_numpy, o) for o in outputs]
        if len(converted) == 1:
            return converted[0]
        leaves = [np.concatenate(parts, axis=0) for parts in zip(*[tree.flatten(o) for o in converted])]
        return tree.pack_as(converted[0], leaves)

    def predict_on_batch(self, x):
        data = ArrayData(x, None, None, what="predict_on_batch")
        if not self.built:
            self._prepare(data, need_y=False)
        fn, tvars, ntvars = self._predict_function()
        out = fn([v.value for v in tvars], [v.value for v in ntvars], data.x)
        return tree.map_structure(core.convert_to_numpy, out)

    # -- single batches -----------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the running loss and metrics."""
        self._assert_compiled("train_on_batch")
        data = ArrayData(x, y, sample_weight, what="train_on_batch")
        self._prepare(data)
        if class_weight is not None:
            data.sample_weight = _class_weights_to_sample_weights(class_weight, data,
                                                                  self._num_classes())
        tvars, _ = self._state_groups()
        self._ensure_optimizer_built(tvars)
        from keraslite.training.feeders import ArrayFeeder

        feeder = ArrayFeeder(self, data, data.num_samples, "train")
        groups = self._train_groups()
        with HeldState(groups) as holder:
            for loop, device_data, order, offset, n in feeder.blocks(_FixedBlock(1)):
                holder.values = loop((), holder.values, device_data, order, offset, n)
            logs = _to_floats(self._logs_function(groups[3])(holder.values[3]))
        return self._format_logs(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics on one batch (metrics are reset first)."""
        self._assert_compiled("test_on_batch")
        data = ArrayData(x, y, sample_weight, what="test_on_batch")
        self._prepare(data)
        from keraslite.training.feeders import ArrayFeeder

        feeder = ArrayFeeder(self, data, data.num_samples, "test")
        tvars, ntvars = self._state_groups()
        with HeldState([tvars, ntvars]) as holder:
            logs = self._run_test(feeder, holder)
        return self._format_logs(logs, return_dict)


def _user_batch(parts):
    """The batch as Keras hands it to ``train_step``: ``(x, y)`` or ``(x, y, sample_weight)``,
    with ``y`` structured like the model's outputs (one array for one output)."""
    x, y, sw = parts
    if isinstance(y, list) and len(y) == 1:
        y = y[0]
    if y is None:
        return (x,)
    return (x, y) if sw is None else (x, y, sw)


class _UserStepLoop:
    """Runs a user's ``train_step`` or ``test_step`` as one compiled step per batch.

    The step reads every variable from a StatelessScope: ``read_only`` ones take the values
    passed as ``params`` (the model's, for a test step), ``carried`` ones the state threaded from
    call to call (everything, for a train step; the metrics, for a test step). What the user's
    step assigns to carried variables (``optimizer.apply``, metric updates) becomes the new state.
    """

    def __init__(self, trainer, user_step, template, batch_size, read_only, carried):
        from keraslite import ops

        self.batch_size = batch_size

        def step(params, values, data, order, offset):
            idx = ops.slice(order, [offset], [batch_size])
            batch = [ops.take(a, idx, axis=0) for a in data]
            mapping = list(zip(read_only, params)) + list(zip(carried, values))
            with StatelessScope(mapping) as scope:
                trainer._clear_losses()
                logs = user_step(_user_batch(repack(template, batch)))
                new_values = [scope.current(v) for v in carried]
            return new_values, dict(logs or {})

        self.trainer = trainer
        self.fn = B_compile.compile_function(step, trainer._jit(), donate_argnums=(1,))

    def __call__(self, params, carry, data, order, offset, n_steps):
        (values,) = carry
        for i in range(n_steps):
            start = offset + i * self.batch_size
            values, self.trainer._custom_logs = self.fn(params, values, data, order, start)
        return [values]


class _FixedBlock:
    def __init__(self, size):
        self.size = max(int(size), 1)

    def observe(self, n, seconds):
        pass


class _TimedBlock:
    """Grows the steps per call until one call takes about ``_BLOCK_SECONDS`` (first call:
    one step, since it includes compilation)."""

    def __init__(self, steps):
        self.size = 1
        self.limit = max(steps, 1)
        self.calls = 0

    def observe(self, n, seconds):
        self.calls += 1
        if self.calls == 1:
            self.size = min(8, self.limit)
            return
        per_step = max(seconds / max(n, 1), 1e-7)
        self.size = int(min(max(_BLOCK_SECONDS / per_step, 1), self.limit))


def _first_batch(source):
    from keraslite.training.data_sources import batch_data

    return batch_data(source.peek(), "predict")


def _ignore_loss(logs, epoch, step):
    """Stands in for _check_finite_loss when a TerminateOnNaN callback handles the loss."""


def _check_finite_loss(logs, epoch, step):
    loss = logs.get("loss")
    if loss is not None and not np.isfinite(loss):
        raise NonFiniteLossError(
            f"The training loss became {loss} by step {step} of epoch {epoch + 1}; training "
            "stopped. Check the data for NaN or inf values, or lower the learning rate / clip "
            "gradients (e.g. optimizer=Adam(1e-4, clipnorm=1.0))."
        )


def _to_floats(logs):
    return {k: float(core.convert_to_numpy(v)) for k, v in logs.items()}


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


def _backups_last(callbacks):
    """BackupAndRestore callbacks go last, so a backup sees what the others did this epoch."""
    from keraslite.callbacks.backup_and_restore import BackupAndRestore

    if callbacks is None or not isinstance(callbacks, (list, tuple)):
        return callbacks
    flat = list(callbacks)
    return ([c for c in flat if not isinstance(c, BackupAndRestore)]
            + [c for c in flat if isinstance(c, BackupAndRestore)])


def _shuffle_rng():
    try:
        from keraslite.random.seeding import numpy_rng

        seed = int(numpy_rng().integers(0, 2**31 - 1))
    except ImportError:
        seed = int(np.random.randint(0, 2**31 - 1))
    return np.random.default_rng(seed)


def _model_dtype(array):
    from keraslite import config

    return config.floatx() if array.dtype.kind == "f" else str(array.dtype)


def _class_weights_to_sample_weights(class_weight, data, num_classes=None):
    """Per-sample weights from ``{class: weight}`` for a single-output model.

    ``num_classes`` (the output's last dimension, 2 for a single sigmoid unit) bounds the valid
    class ids; a key outside it is a mistake Keras would silently ignore, so it is refused.
    """
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class: weight}}. Received: {type(class_weight).__name__}")
    ys = tree.flatten(data.y)
    if len(ys) != 1:
        raise ValueError("class_weight is only supported for models with a single output.")
    y = ys[0]
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] > 1:
        num_classes = y.shape[-1]
    unknown = [c for c in class_weight
               if not isinstance(c, (int, np.integer)) or c < 0
               or (num_classes is not None and c >= num_classes)]
    if unknown:
        valid = f"0..{num_classes - 1}" if num_classes else "non-negative integers"
        raise ValueError(f"class_weight names classes {unknown} that the model does not have. "
                         f"Valid class ids: {valid}. Received keys: {sorted(map(repr, class_weight))}")
    weights = np.ones(len(labels), dtype=np.float32)
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = float(w)
    if data.sample_weight is not None:
        weights = weights * np.asarray(data.sample_weight, dtype=np.float32)
    return weights
