"""The Optimizer base class: Variable plumbing around a pure per-variable ``update``.

Subclasses write only ``update(grad, param, slots, lr, step) -> (new_param, new_slots)`` (plus
``slot_names``), in the spirit of Optax. The base class owns the Variables (iteration count,
learning rate, one slot Variable per trainable variable and slot name), clips gradients, applies
decoupled weight decay and constraints, and writes results back with ``Variable.assign`` only, so
``apply`` run under a ``StatelessScope`` inside ``jax.jit`` / ``tf.function`` is a pure step.
"""
from __future__ import annotations

import math

from keraslite import ops
from keraslite.backends import compile as B_compile
from keraslite.backends import distribution as B_dist
from keraslite.optimizers import schedules
from keraslite.utils import naming
from keraslite.variables import StatelessScope, Variable, creating_path

_INT32_MAX = 2**31 - 1
# The update of a variable of at least this many elements runs as one compiled region
# (``Optimizer._updates``): it is memory-bound, and on TensorFlow without XLA each op of an
# update is another pass over the array. Smaller ones would add compilation time to short fits
# (tuner trials) for little gain.
FUSED_UPDATE_MIN_SIZE = 1 << 20


def _check_number(owner, name, value, allow_zero=False):
    """A hyperparameter as a finite float > 0 (>= 0 with ``allow_zero``): a string or NaN
    would otherwise reach the compiled step and fail there with a backend message."""
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, (int, float)) and not (
            hasattr(value, "__float__") and getattr(value, "ndim", 0) == 0):
        raise TypeError(f"{owner}: `{name}` must be a number. Received: {name}={value!r} "
                        f"(of type {type(value).__name__})")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}: `{name}` must be a finite number {bound}. "
                         f"Received: {name}={value!r}")
    return number


class Optimizer:
    """Base class of all optimizers.

    Args:
        learning_rate: a float (kept in a float32 Variable, so it can be changed during
            training) or a ``schedules.LearningRateSchedule``.
        weight_decay: decoupled weight decay: each step ``var -= var * weight_decay * lr``.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this global L2 norm.
        name: prefix of the optimizer's variable paths.

    Example::

        class PlainSGD(Optimizer):
            def update(self, grad, param, slots, lr, step):
                return param - lr * grad, {}
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        kwargs.pop("decay", None)
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword argument(s) passed to {type(self).__name__}: {sorted(kwargs)}"
            )
        if gradient_accumulation_steps is not None and (
                isinstance(gradient_accumulation_steps, bool)
                or not isinstance(gradient_accumulation_steps, int)
                or not 2 <= gradient_accumulation_steps <= _INT32_MAX):
            # The step counter that decides when to apply is an int32 on the device.
            raise ValueError(
                f"{type(self).__name__}: `gradient_accumulation_steps` must be an int in "
                f"[2, {_INT32_MAX}]. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps!r}"
            )
        if use_ema and not 0.0 <= ema_momentum <= 1.0:
            raise ValueError(
                f"{type(self).__name__}: `ema_momentum` must be in [0, 1]. "
                f"Received: ema_momentum={ema_momentum!r}"
            )
        for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                           ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm),
                           ("loss_scale_factor", loss_scale_factor)):
            if value is not None:
                _check_number(type(self).__name__, arg, value, allow_zero=arg == "weight_decay")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{type(self).__name__}: set at most one of `clipnorm`, `clipvalue` and "
                f"`global_clipnorm`. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._iterations = Variable(0, dtype="int64", trainable=False, name="iteration")
        self._iterations.path = f"{self.name}/iteration"
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            self._learning_rate = learning_rate
        elif callable(learning_rate):
            raise TypeError(
                f"{type(self).__name__}: `learning_rate` must be a float or a "
                f"LearningRateSchedule. Received: {learning_rate!r}"
            )
        else:
            learning_rate = _check_number(type(self).__name__, "learning_rate", learning_rate,
                                          allow_zero=True)
            self._learning_rate = Variable(learning_rate, dtype="float32", trainable=False,
                                           name="learning_rate")
            self._learning_rate.path = f"{self.name}/learning_rate"
        self._trainable_variables = []
        self._var_index = {}
        self._slots = {}
        self._ema, self._accumulators = [], []
        self._exclude_ids, self._exclude_names = set(), ()

    # -- what subclasses provide ----------------------------------------------------------
    @property
    def slot_names(self) -> tuple:
        """Names of the per-variable state this optimizer keeps (e.g. ("momentum", "velocity"))."""
        return ()

    def slot_initial_value(self, slot_name) -> float:
        return 0.0

    def update(self, grad, param, slots, lr, step):
        """Pure math for one variable: returns (new_param, new_slots dict).

        ``lr`` and ``step`` (the 1-based step number) are already cast to the param's dtype.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update().")

    # -- state ------------------------------------------------------------------------------
    def build(self, variables):
        """Creates one slot Variable per trainable variable and slot name."""
        if self.built:
            return
        self._trainable_variables = list(variables)
        self._var_index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        for slot in self.slot_names:
            self._slots[slot] = [self._make_slot(v, slot) for v in self._trainable_variables]
        if self.use_ema:
            self._ema = [self._make_slot(v, "average", v.value) for v in self._trainable_variables]
        if self.gradient_accumulation_steps:
            self._accumulators = [self._make_slot(v, "gradient_accumulator")
                                  for v in self._trainable_variables]
        self.built = True

    def _make_slot(self, var, slot, initial_value=None):
        from keraslite.initializers import Constant

        name = f"{var.path.replace('/', '_')}_{slot}"
        if initial_value is None:
            initial_value = Constant(self.slot_initial_value(slot))
        # Created under the weight's path, so a distribution lays the slot out like its weight.
        with creating_path(f"{self.name}/{slot}/{var.path}"):
            # "none": every replica computes the same update, nothing to combine.
            slot_var = Variable(initial_value, shape=var.shape, dtype=var.dtype,
                                trainable=False, name=name, aggregation="none")
        slot_var.path = f"{self.name}/{name}"
        return slot_var

    @property
    def variables(self) -> list:
        """All optimizer Variables: iteration, learning rate (if a Variable), then slots."""
        out = [self._iterations]
        if isinstance(self._learning_rate, Variable):
            out.append(self._learning_rate)
        out.extend(self._extra_variables())
        for slot in self.slot_names:
            out.extend(self._slots.get(slot, ()))
        return out + list(self._ema) + list(self._accumulators)

    def _extra_variables(self) -> list:
        """Optimizer-wide state besides the per-variable slots (e.g. Nadam's momentum product)."""
        return []

    def _before_update(self, step):
        """Hook run once per applied step, before the per-variable updates."""

    @property
    def iterations(self):
        """The number of applied steps (with gradient accumulation: of real updates, as Keras)."""
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations.value, self.gradient_accumulation_steps)
        return self._iterations

    def _step_count(self):
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations.value, self.gradient_accumulation_steps)
        return self._iterations.value

    @property
    def learning_rate(self):
        """The learning-rate Variable, or the schedule's value at the current iteration."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return self._learning_rate(self._step_count())
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule):
            self._learning_rate = value
            return
        if not isinstance(self._learning_rate, Variable):
            raise TypeError(
                f"{type(self).__name__} was created with a LearningRateSchedule, so its learning "
                "rate cannot be set to a number. Create the optimizer with a float learning rate "
                "to change it during training."
            )
        if isinstance(value, (str, bytes, bool, int, float)):  # tensors are assigned as given
            value = _check_number(type(self).__name__, "learning_rate", value, allow_zero=True)
        self._learning_rate.assign(value)

    def _current_learning_rate(self):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return self._learning_rate(self._step_count())
        return self._learning_rate.value

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Skips weight decay for these variables, or any whose name contains one of ``var_names``."""
        self._exclude_ids |= {id(v) for v in var_list or ()}
        self._exclude_names = tuple(self._exclude_names) + tuple(var_names or ())

    def _decays(self, var) -> bool:
        if id(var) in self._exclude_ids:
            return False
        return not any(n in var.name or n in var.path for n in self._exclude_names)

    # -- applying updates -------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies one update from a list of (gradient, variable) pairs."""
        pairs = list(grads_and_vars)
        return self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables=None):
        """Applies one update step and increments ``iterations``; returns ``iterations``."""
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    f"Optimizer '{self.name}' is not built: pass `trainable_variables` to apply() "
                    "or call build(variables) first."
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Optimizer '{self.name}' received {len(grads)} gradients for "
                f"{len(trainable_variables)} variables; they must match one to one."
            )
        if not self.built:
            self.build(trainable_variables)
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            raise ValueError(
                f"Optimizer '{self.name}' received no gradients (all were None) for variables "
                f"{[v.path for v in trainable_variables]}."
            )
        for _, v in pairs:
            if id(v) not in self._var_index:
                raise ValueError(
                    f"Optimizer '{self.name}' was built for other variables and does not know "
                    f"'{v.path}'. Create a new optimizer for a new set of variables."
                )
        # Averaged over replicas when the step runs per replica (TensorFlow's DataParallel);
        # under JAX's SPMD the compiler already combines them.
        grads = B_dist.mean_over_replicas([ops.cast(g, v.dtype) for g, v in pairs])
        if self.loss_scale_factor is not None:
            grads = [ops.divide(g, self.loss_scale_factor) for g in grads]
        variables = [v for _, v in pairs]
        if self.gradient_accumulation_steps:
            self._apply_accumulated(grads, variables)
        else:
            self._apply_update(grads, variables)
        if self.use_ema:
            self._update_ema()
        self._iterations.assign(ops.add(self._iterations.value, 1))
        return self._iterations

    def _apply_update(self, grads, variables):
        """Clipping, weight decay, the per-variable updates and constraints for one step."""
        grads = self._clip(grads)
        lr = self._current_learning_rate()
        step = ops.add(self._step_count(), 1)
        self._before_update(step)
        if self.weight_decay:
            for v in variables:
                if self._decays(v):
                    decay = ops.multiply(ops.cast(lr, v.dtype), self.weight_decay)
                    v.assign(ops.subtract(v.value, ops.multiply(v.value, decay)))
        indices = [self._var_index[id(v)] for v in variables]
        args = [(g, v.value, {s: self._slots[s][i].value for s in self.slot_names},
                 ops.cast(lr, v.dtype), ops.cast(step, v.dtype))
                for g, v, i in zip(grads, variables, indices)]
        region = B_compile.compiled_region(self._updates)
        for k, (v, index) in enumerate(zip(variables, indices)):
            if math.prod(v.shape) >= FUSED_UPDATE_MIN_SIZE:
                # One region per variable, not one for all: each update starts as soon as its
                # gradient is ready, alongside the rest of the backward pass (one region for
                # all of VGG16's large weights waited for the last gradient and gained
                # nothing at batch 32). Variables of one shape share one compilation.
                (new_param, new_slots), = region([args[k]])
            else:
                new_param, new_slots = self.update(*args[k])
            v.assign(new_param)
            for s in self.slot_names:
                self._slots[s][index].assign(new_slots[s])
        for v in variables:
            if getattr(v, "constraint", None) is not None:
                v.assign(v.constraint(v.value))

    def _updates(self, args: list) -> list:
        """``update`` for each ``(grad, param, slots, lr, step)``; a large variable's update
        runs through it as one compiled region where the backend's graph would otherwise run
        it op by op (TensorFlow without XLA; ``B_compile.compiled_region``)."""
        return [self.update(*a) for a in args]

    def _update_state_variables(self, variables):
        """The Variables one update step may change, for ``variables``."""
        out = list(variables) + self._extra_variables()
        for v in variables:
            index = self._var_index[id(v)]
            out.extend(self._slots[s][index] for s in self.slot_names)
        return out

    def _apply_accumulated(self, grads, variables):
        # Both branches are computed and selected with ops.where, so the step stays traceable.
        steps = self.gradient_accumulation_steps
        is_update = ops.equal(ops.mod(ops.add(self._iterations.value, 1), steps), 0)
        accumulators = [self._accumulators[self._var_index[id(v)]] for v in variables]
        averaged = [ops.divide(ops.add(g, a.value), steps) for g, a in zip(grads, accumulators)]
        run_gated(is_update, lambda: self._apply_update(averaged, variables),
                  self._update_state_variables(variables))
        for g, a in zip(grads, accumulators):
            a.assign(ops.where(is_update, ops.zeros_like(a.value), ops.add(a.value, g)))

    def _update_ema(self):
        not_first = ops.not_equal(self._step_count(), 0)
        for var, average in zip(self._trainable_variables, self._ema):
            momentum = ops.multiply(ops.cast(not_first, var.dtype), self.ema_momentum)
            average.assign(ops.add(ops.multiply(momentum, average.value),
                                   ops.multiply(ops.subtract(1.0, momentum), var.value)))
        if self.ema_overwrite_frequency:
            overwrite = ops.equal(ops.mod(ops.add(self._step_count(), 1),
                                          self.ema_overwrite_frequency), 0)
            for var, average in zip(self._trainable_variables, self._ema):
                var.assign(ops.where(overwrite, average.value, var.value))

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, sets each variable to its moving average (call at the end of fit)."""
        if not self.use_ema or not self.built:
            return
        for var in var_list:
            index = self._var_index.get(id(var))
            if index is not None:
                var.assign(self._ema[index].value)

    def scale_loss(self, loss):
        """The loss to differentiate: multiplied by ``loss_scale_factor`` when one is set."""
        if self.loss_scale_factor is not None:
            return ops.multiply(loss, self.loss_scale_factor)
        return loss

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Pure form of ``apply``: takes values (in the order of ``variables`` and of the
        variables the optimizer was built with) and returns (new trainable values, new optimizer
        values) without changing any Variable."""
        if not self.built:
            raise ValueError(f"Optimizer '{self.name}' must be built before stateless_apply().")
        mapping = list(zip(self.variables, optimizer_variables))
        mapping += list(zip(self._trainable_variables, trainable_variables))
        with StatelessScope(mapping) as scope:
            self.apply(grads, self._trainable_variables)
        return ([scope.current(v) for v in self._trainable_variables],
                [scope.current(v) for v in self.variables])

    def _clip(self, grads):
        if self.clipvalue is not None:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            return [_clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            squares = [ops.sum(ops.square(ops.cast(g, "float32"))) for g in grads]
            total = squares[0]
            for s in squares[1:]:
                total = ops.add(total, s)
            norm = ops.sqrt(total)
            scale = ops.divide(self.global_clipnorm, ops.maximum(norm, self.global_clipnorm))
            return [ops.multiply(g, ops.cast(scale, g.dtype)) for g in grads]
        return grads

    # -- config -----------------------------------------------------------------------------
    def get_config(self) -> dict:
        if isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = schedules.serialize(self._learning_rate)
        return {
            "name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} built={self.built}>"


def run_gated(condition, fn, variables):
    """Runs ``fn`` (which assigns some of ``variables``) and keeps the new values only where
    ``condition`` is true; the old ones otherwise. Traceable: no Python branch on tensors."""
    old = [v.value for v in variables]
    fn()
    for v, previous in zip(variables, old):
        v.assign(ops.where(condition, v.value, previous))


def _clip_by_norm(g, clipnorm):
    """Scales ``g`` down to L2 norm ``clipnorm`` when its norm is larger."""
    norm = ops.sqrt(ops.sum(ops.square(g)))
    return ops.divide(ops.multiply(g, clipnorm), ops.maximum(norm, clipnorm))
