"""Trainer: compile / fit / evaluate / predict / *_on_batch, mixed into ``Model``.

The speed comes from three choices (DESIGN.md principle 3):
1. one step definition (``training/steps.py``), traced once over the whole state (weights,
   optimizer, metrics, RNG; ``training/model_state.py``) and compiled by the backend
   (``jax.jit`` with the state donated; ``tf.function``);
2. many steps per compiled call, with the fit data resident on the device and batches gathered
   by index inside the loop (``training/step_loop.py``, ``backends/<name>/compile.py``);
3. Python ``Variable`` objects are not updated per step: a ``StateHolder`` keeps the live values
   and hands them out only when somebody reads a variable (``training/state.py``).

A last partial batch runs through a second compiled loop of that batch size (compiled once per
distinct size), so no padding or masking changes the numbers.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from keraslite import config, optimizers
from keraslite import metrics as metrics_mod
from keraslite.backends import core
from keraslite.layers.layer import Layer
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.random.seeding import numpy_rng
from keraslite.training import fit_loop, model_state, targets
from keraslite.training.compile_utils import CompileLoss, CompileMetrics
from keraslite.training.data import (ArrayData, check_positive_int, signature,
                                     unpack_validation_data)
from keraslite.training.data_sources import batch_data, is_stream, make_source
from keraslite.training.feeders import (ArrayFeeder, i32, identity_order, make_feeder,
                                        predict_batches, prepare_first_batch)
from keraslite.training.fit_loop import NonFiniteLossError
from keraslite.training.fit_loop import FitProgress, to_floats
from keraslite.training.input_standardization import standardize_inputs
from keraslite.training.legacy_shims import LegacyShims
from keraslite.training.loop_layouts import check_batch_size, distribution, loop_layout
from keraslite.training.state import HeldState
from keraslite.training.stateful_steps import step_callable
from keraslite.training.step_functions import StepFunctions
from keraslite.training.step_loop import PredictFunction, StepLoop, abstract_logs, compute_dtype
from keraslite.training.steps import StepMethods
from keraslite.training.trainer_members import TrainerMembers
from keraslite.utils import tree


__all__ = ["NonFiniteLossError", "NotCompiledError", "Trainer"]


class NotCompiledError(RuntimeError, ValueError):
    """Raised when fit/evaluate/train_on_batch runs before ``compile``."""


class Trainer(StepFunctions, TrainerMembers, LegacyShims, StepMethods):
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self.fit_progress = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._functions = {}
        self._batch_holder = None  # the last train_on_batch's StateHolder (its backup)
        self.steps_per_execution = "auto"
        self.jit_compile = "auto"
        # make_train_function() & co. set these (training/step_functions.py).
        self.train_function = self.test_function = self.predict_function = None
        self._record_strategy()

    # -- compile ----------------------------------------------------------------------------
    def compile(self, optimizer: str | Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int | str = "auto", jit_compile: bool | str = "auto",
                auto_scale_loss: bool = True) -> None:
        """Configures the model for training (Keras ``Model.compile`` arguments)."""
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
        self._batch_holder = None
        self.train_function = self.test_function = self.predict_function = None
        self.compiled = True

    def _assert_compiled(self, method):
        if not self.compiled:
            raise NotCompiledError(
                f"You must call compile() before {method}() on model '{self.name}': "
                "e.g. model.compile(optimizer='adam', loss='mse')."
            )

    # -- the model state ----------------------------------------------------------------------
    def get_state(self) -> dict:
        """The whole training state as ``{path: np.ndarray}``: weights, RNG states, optimizer
        and metric variables, under stable readable paths (see ``training/model_state.py``)."""
        return model_state.get_state(self)

    def set_state(self, state: dict) -> None:
        """Restores a mapping from ``get_state()`` (all paths and shapes checked first)."""
        model_state.set_state(self, state)

    def _uses_custom_train_step(self):
        return type(self).train_step is not StepMethods.train_step

    def _uses_custom_steps(self):
        """Whether any step or the logs they return are the model's own."""
        cls = type(self)
        return any(getattr(cls, name) is not getattr(StepMethods, name)
                   for name in ("train_step", "test_step", "compute_metrics",
                                "get_metrics_result"))

    # -- building for data ------------------------------------------------------------------
    def _prepare(self, data, need_y=True):
        """Builds the model, the losses and metrics for this data; checks inputs and targets."""
        data.x = standardize_inputs(self, data.x)
        x_spec = tree.map_structure(
            lambda a: KerasTensor((None,) + tuple(a.shape[1:]), compute_dtype(a)), data.x)
        if need_y and self._uses_custom_train_step() and self._compile_loss is None:
            # The user's train_step decides how x is used: a GAN's call takes noise, not x. So
            # the model is built on x when that works (as Keras does), and otherwise left to
            # build what it needs inside the step.
            self._train_output_names = [self.name]
            if not self.built:
                try:
                    self._maybe_build(x_spec)
                except (ValueError, TypeError):
                    pass
            return
        if not self.built:
            self._maybe_build(x_spec)
        # Checked on the host, on the real data, before anything is traced: a compiled
        # function retraced with relaxed shapes would not check again.
        self._check_input_spec(data.x)
        cache = getattr(self, "_symbolic_outputs_cache", None)
        key = tree.describe(x_spec)
        if cache is None or cache[0] != key:
            self._symbolic_outputs_cache = (key, tree.flatten(Layer.compute_output_spec(self,
                                                                                       x_spec)))
        flat_specs = self._symbolic_outputs_cache[1]
        names = targets.names_for(self, len(flat_specs))
        self._train_output_names = names
        y_flat = None
        if need_y and data.y is not None:
            y_flat = data.y = targets.flatten_targets(self.name, data.y, names)
        if self._compile_loss is not None and not self._compile_loss.built:
            self._compile_loss.build(names)
        if self._compile_metrics is not None and not self._compile_metrics.built:
            self._compile_metrics.build(names, self._compile_loss, y_flat,
                                        [s.shape for s in flat_specs])
        if y_flat is not None:
            targets.check_targets(self._compile_loss, y_flat, flat_specs, names)

    def _check_batch(self, data, index=None, kind=None, had_y=None):
        """Host-side check of one streamed batch: inputs, targets' structure, and the targets'
        values (label ranges) on every batch, not only the first. ``index`` names the batch."""
        try:
            data.x = standardize_inputs(self, data.x)
            custom = self._uses_custom_train_step() and self._compile_loss is None
            if not custom:
                self._check_input_spec(data.x)
            if data.y is None and had_y and kind in ("train", "test") and not custom:
                raise ValueError(
                    "the batch holds only x, but the first batch had targets y. Every batch "
                    "must be (x, y) or (x, y, sample_weight)."
                )
            if data.y is not None:
                data.y = targets.flatten_targets(self.name, data.y, self._train_output_names)
                cache = getattr(self, "_symbolic_outputs_cache", None)
                if cache is not None and not custom:
                    targets.check_targets(self._compile_loss, data.y, cache[1],
                                          self._train_output_names)
        except ValueError as error:
            if index is None:
                raise
            raise ValueError(f"Batch {index} of the data source: {error}") from None
        return data

    def _ensure_optimizer_built(self):
        """Builds the optimizer over every weight created trainable, frozen ones included, so
        unfreezing a layer later needs no recompile (each step updates only the variables that
        are trainable then). With layers frozen at the first fit, ``summary()`` therefore counts
        optimizer slots for them too, unlike Keras."""
        if self._uses_custom_train_step() and not self.built:
            return  # the step builds the layers, and optimizer.apply builds on what it gets
        if self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build([v for v in self.weights
                                  if getattr(v, "_owner_trainable", v.trainable)])

    # -- compiled loops -----------------------------------------------------------------------
    def _jit(self):
        if getattr(self, "run_eagerly", False):
            return False
        # "auto" lets the backend decide: XLA on JAX; on TensorFlow, XLA unless the step holds
        # convolutions (see backends/tensorflow/compile.py).
        return "auto" if self.jit_compile == "auto" else bool(self.jit_compile)

    def _loop(self, kind, batch_size, template) -> StepLoop:
        """The compiled multi-step loop for ``kind`` ('train'/'test') and one batch size."""
        step = step_callable(self, kind)
        what = f"{kind}_step"
        template_signature = signature(template)
        spec_key = ("logs", kind, template_signature)
        logs_spec = self._functions.get(spec_key)
        if logs_spec is None and kind == "test" and not self._uses_custom_steps():
            # Keras's test_step returns the same logs as its train_step (compute_metrics), and
            # the train step's abstract run created the state: no second abstract run (it
            # traced the whole step, about a tenth of a short TensorFlow tuner trial).
            logs_spec = self._functions.get(("logs", "train", template_signature))
        if logs_spec is None or any(s.shape for s in logs_spec.values()):
            # Also creates lazily built state (optimizer slots, metric variables).
            logs_spec = self._functions[spec_key] = abstract_logs(step, template, batch_size, what)
        state = list(model_state.state_variables(self).values())
        if kind == "train":
            read_only, carried = [], state
        else:
            metric_ids = {id(v) for m in model_state.all_metrics(self) for v in m.variables}
            carried = [v for v in state if id(v) in metric_ids]
            read_only = [v for v in state if id(v) not in metric_ids]
        dist = distribution()
        key = (kind, batch_size, template_signature, tuple(map(id, read_only)),
               tuple(map(id, carried)), tuple(map(id, self.trainable_variables)), self._jit(),
               id(dist))
        loop = self._functions.get(key)
        if loop is None:
            layout = None if dist is None else loop_layout(dist, self, read_only, carried)
            loop = self._functions[key] = StepLoop(step, what, template, batch_size, read_only,
                                                   carried, logs_spec, self._jit(), layout)
        return loop

    # -- fit ----------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str = "auto", callbacks: list | None = None,
            validation_split: float = 0.0, validation_data: Any = None,
            shuffle: bool | str = True, class_weight: dict | None = None,
            sample_weight: Any = None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None,
            validation_freq: int | Sequence[int] = 1) -> Any:
        """Trains the model; returns a ``History`` (Keras ``Model.fit``).

        ``x`` may be arrays (or lists/dicts of arrays) with ``y``, or a source of batches: a
        generator, a ``keraslite.utils.PyDataset``, a ``tf.data.Dataset`` or any iterable of
        ``(x, y[, sample_weight])`` tuples."""
        from keraslite.callbacks import CallbackList

        self._assert_compiled("fit")
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        check_batch_size(batch_size)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer. Received: epochs={epochs!r}")
        if (isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer))
                or initial_epoch < 0):
            raise ValueError("initial_epoch must be a non-negative integer. "
                             f"Received: initial_epoch={initial_epoch!r}")
        steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch", allow_none=True)
        # keraslite.config.set_max_epochs / set_max_steps_per_epoch: debugging caps, as Keras.
        epochs, steps_per_epoch = config.capped_fit_lengths(epochs, steps_per_epoch)
        verbose = 1 if verbose == "auto" else int(verbose)
        train, val = self._feeder(x, y, sample_weight, batch_size, "train", "fit", shuffle,
                                  steps_per_epoch, class_weight=class_weight,
                                  validation_split=validation_split)
        if validation_data is not None:
            val = self._validation_feeder(validation_data, validation_batch_size or batch_size,
                                          validation_steps)
        self._ensure_optimizer_built()
        # Compiling the first loop runs the step abstractly, creating lazily built state
        # (a custom step's optimizer slots, metrics) before the state is held.
        first_loop = train.prepare_loops()
        # Each loop is told the steps it will run, so the backend can weigh a compilation
        # against them (TensorFlow: XLA only for enough steps to repay its compile time).
        _expect_steps(self, train, epochs - initial_epoch)
        if val is not None:
            _expect_steps(self, val, epochs - initial_epoch)  # at most: validation_freq
        # The other programs of this fit (remainder batch, validation) compile in the
        # background while the first one compiles here.
        for feeder, skip_first in ((train, True), (val, False)):
            if hasattr(feeder, "warm_loops"):
                feeder.warm_loops(skip_first=skip_first)
        steps = train.steps()
        callbacks = CallbackList(_backups_last(callbacks), add_history=True,
                                 add_progbar=verbose != 0, model=self, verbose=verbose,
                                 epochs=epochs, steps=steps)
        block = fit_loop.block_size(self.steps_per_execution, callbacks, verbose, steps)
        progress = self.fit_progress = FitProgress(callbacks, _shuffle_rng())
        self.stop_training = False
        # The held state is exactly what the train loops carry (the whole model state).
        with HeldState([first_loop.carried]) as holder:
            callbacks.on_train_begin()
            epoch_logs = fit_loop.run_epochs(self, train, val, callbacks, progress, holder, block,
                                             epochs, initial_epoch, verbose, validation_freq)
        # With use_ema, the weights become their moving averages once training ends (Keras).
        self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(epoch_logs)
        return self.history

    def _feeder(self, x, y, sample_weight, batch_size, kind, what, shuffle=False, steps=None,
                class_weight=None, validation_split=0.0):
        """``(feeder, validation feeder or None)`` for ``x``, the model built for its data."""
        return make_feeder(self, x, y, sample_weight, batch_size, kind, what, shuffle, steps,
                           class_weight, validation_split)

    def _validation_feeder(self, validation_data, batch_size, steps):
        steps = check_positive_int(steps, "validation_steps", allow_none=True)
        if is_stream(validation_data):
            return self._feeder(validation_data, None, None, batch_size, "test",
                                "fit(validation_data)", steps=steps)[0]
        data = unpack_validation_data(validation_data)
        return self._feeder(data.x, data.y, data.sample_weight, batch_size, "test",
                            "fit(validation_data)", steps=steps)[0]

    # -- evaluate -----------------------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: int | str = "auto", sample_weight: Any = None,
                 steps: int | None = None, callbacks: list | None = None,
                 return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Loss and metrics on the given data (Keras ``Model.evaluate``); ``x`` may be arrays
        or a source of batches, as for ``fit``."""
        from keraslite.callbacks import CallbackList

        self._assert_compiled("evaluate")
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        steps = check_positive_int(steps, "steps", allow_none=True)
        feeder, _ = self._feeder(x, y, sample_weight, batch_size, "test", "evaluate", steps=steps)
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=feeder.steps())
        return _format_logs(self._run_test(feeder, cbs), return_dict)

    def _run_test(self, feeder, callbacks=None):
        """Runs the compiled test loop over a feeder's blocks; returns the logs as floats.
        Weights are read through the variables (live values while fit holds them)."""
        feeder.prepare_loops()
        _expect_steps(self, feeder, 1)
        for metric in model_state.all_metrics(self):
            metric.reset_state()
        if callbacks is not None:
            callbacks.on_test_begin()
        step, logs, params, values, carried = 0, None, None, None, None
        for loop, data, order, offset, n in feeder.blocks(fit_loop.FixedBlock(
                feeder.steps() or 1 << 30)):
            if params is None:
                params = [v.value for v in loop.read_only]
                carried = loop.carried
                values = [v.value for v in carried]
                logs = loop.initial_logs()
            values, logs = loop(params, [values, logs], data, order, offset, n)
            step += n
        if step == 0:
            raise ValueError("evaluation got no batches from its data source.")
        logs = to_floats(logs)
        if callbacks is not None:
            callbacks.on_test_batch_end(step - 1, logs)
            callbacks.on_test_end(logs)
        for var, value in zip(carried, values):
            var.assign(value)
        return logs

    # -- predict ------------------------------------------------------------------------------
    def _predict_function(self) -> PredictFunction:
        key = ("predict", tuple(map(id, self.variables)), self._jit())
        fn = self._functions.get(key)
        if fn is None:
            fn = self._functions[key] = PredictFunction(self, self._jit())
        return fn

    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = "auto",
                steps: int | None = None, callbacks: list | None = None) -> Any:
        """Model outputs for the inputs, as NumPy arrays (Keras ``Model.predict``); ``x`` may
        be arrays or a source of batches (targets in the batches are ignored)."""
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        steps = check_positive_int(steps, "steps", allow_none=True)
        if is_stream(x):
            source = make_source(x, "predict")
            raw = source.peek()
            try:
                first = batch_data(raw, "predict")
            except (ValueError, TypeError) as error:
                raise type(error)(f"Batch 0 of the data source: {error}") from None
            prepare_first_batch(self, first, need_y=False)
            batches = (self._checked_x(b) for b in predict_batches(source, "predict"))
            total_steps = source.steps() if steps is None else steps
        else:
            data = ArrayData(x, None, None, what="predict")
            self._prepare(data, need_y=False)
            n = data.num_samples
            total_steps = -(-n // batch_size) if steps is None else min(-(-n // batch_size), steps)
            batches = (tree.map_structure(lambda a: a[i * batch_size:(i + 1) * batch_size], data.x)
                       for i in range(total_steps))
        fn = self._predict_function()
        values = [v.value for v in fn.variables]
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
            outputs.append(fn(values, xb))
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
        leaves = [np.concatenate(parts, axis=0)
                  for parts in zip(*[tree.flatten(o) for o in converted])]
        return tree.pack_as(converted[0], leaves)

    def _checked_x(self, x):
        x = standardize_inputs(self, x)
        self._check_input_spec(x)
        return x

    def predict_on_batch(self, x: Any) -> Any:
        data = ArrayData(x, None, None, what="predict_on_batch")
        self._prepare(data, need_y=False)
        fn = self._predict_function()
        out = fn([v.value for v in fn.variables], data.x)
        return tree.map_structure(core.convert_to_numpy, out)

    # -- single batches -----------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: dict | None = None,
                       return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """One optimizer step on one batch; returns the running loss and metrics."""
        self._assert_compiled("train_on_batch")
        data = ArrayData(x, y, sample_weight, what="train_on_batch")
        self._prepare(data)
        if class_weight is not None:
            data.sample_weight = targets.class_weights_to_sample_weights(
                class_weight, data, targets.num_classes(self))
        self._ensure_optimizer_built()
        feeder = ArrayFeeder(self, data, data.num_samples, "train")
        # One loop look-up (it walks the model state): this call's cost is per-batch overhead.
        loop = self._loop("train", data.num_samples, feeder.template)
        order = identity_order(data.num_samples)
        held = HeldState([loop.carried], self._batch_holder)
        with held as holder:
            # Kept only for its backup (a backend that donates): on TensorFlow it would only
            # keep this call's weights alive after later calls replace them.
            self._batch_holder = holder if holder.backup is not None else None
            holder.values[0], logs = loop((), [holder.values[0], loop.initial_logs()],
                                          feeder.device_data, order, i32(0), 1)
        return _format_logs(to_floats(logs), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Loss and metrics on one batch (metrics are reset first)."""
        self._assert_compiled("test_on_batch")
        data = ArrayData(x, y, sample_weight, what="test_on_batch")
        self._prepare(data)
        feeder = ArrayFeeder(self, data, data.num_samples, "test")
        return _format_logs(self._run_test(feeder), return_dict)


def _format_logs(logs, return_dict):
    if return_dict:
        return logs
    names = sorted(logs, key=lambda n: (n != "loss", n))
    values = [logs[n] for n in names]
    return values[0] if len(values) == 1 else values


def _expect_steps(trainer, feeder, repeats):
    """Tells each loop of ``feeder`` how many steps it runs in ``repeats`` passes over the
    data: the full batches' loop and the last, smaller batch's (one step per pass)."""
    if not isinstance(feeder, ArrayFeeder):
        if feeder.steps():
            feeder.prepare_loops().expect(repeats * feeder.steps())
        return  # batches of unknown count: the loops count the steps they run
    for size, steps in feeder.loop_sizes():
        trainer._loop(feeder.kind, size, feeder.template).expect(repeats * steps)


def _backups_last(callbacks):
    """BackupAndRestore callbacks go last, so a backup sees what the others did this epoch."""
    from keraslite.callbacks.backup_and_restore import BackupAndRestore

    if callbacks is None or not isinstance(callbacks, (list, tuple)):
        return callbacks
    flat = list(callbacks)
    return ([c for c in flat if not isinstance(c, BackupAndRestore)]
            + [c for c in flat if isinstance(c, BackupAndRestore)])


def _shuffle_rng():
    return np.random.default_rng(int(numpy_rng().integers(0, 2**31 - 1)))
