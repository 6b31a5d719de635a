"""CallbackList: one object that forwards each trainer event to every callback.

The contract with the trainer:

* ``fit``: ``on_train_begin()``; per epoch ``on_epoch_begin(epoch)``, then per compiled call
  ``on_train_batch_begin(first_step)`` and ``on_train_batch_end(last_step, logs)`` (0-based step
  indices within the epoch; ``logs`` are the epoch's running metric values), then
  ``on_epoch_end(epoch, logs)`` with the final values plus ``val_*``; finally
  ``on_train_end(last_epoch_logs)``. A compiled call may run many steps unless
  ``needs_train_batch_hooks`` is True, in which case it must run exactly one.
* ``evaluate``: ``on_test_begin()``, ``on_test_batch_end(last_step, logs)`` per compiled call,
  ``on_test_end(final_logs)``. ``predict``: the same with ``on_predict_*`` and
  ``logs={"outputs": batch_outputs}``.
"""
from __future__ import annotations

import numpy as np

from keraslite.callbacks.callback import Callback
from keraslite.callbacks.history import History
from keraslite.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _overrides(callback, hook):
    """Whether ``hook`` does something for ``callback``: a method overriding Callback's, or a
    function assigned on the instance (LambdaCallback, or a callback that needs a batch hook
    only for some settings)."""
    if hook in getattr(callback, "__dict__", ()):
        return True
    method = getattr(type(callback), hook, None)
    return method is not None and method is not getattr(Callback, hook, None)


def _to_python(value):
    """A scalar tensor becomes a Python float (or int/bool), a larger tensor a NumPy array."""
    if isinstance(value, (float, int, bool, str)) or value is None:
        return value
    if isinstance(value, dict):
        return {k: _to_python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_python(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    shape = getattr(value, "shape", None)
    if shape is None:
        return value
    array = np.asarray(value)
    if array.ndim:
        return array
    if array.dtype.kind == "b":
        return bool(array)
    if array.dtype.kind in "iu":
        return int(array)
    return float(array)


def pythonify_logs(logs):
    """A copy of ``logs`` with scalar tensors turned into Python numbers (this syncs the device)."""
    if not logs:
        return {}
    return {name: _to_python(value) for name, value in logs.items()}


class CallbackList:
    """Calls a list of callbacks in order; what the trainer talks to.

    Args:
        callbacks: a callback or a (possibly nested) list of callbacks, or None.
        add_history: append a ``History`` unless the list already has one.
        add_progbar: append a ``ProgbarLogger`` unless the list already has one.
        model: the model, given to every callback through ``set_model``.
        **params: ``verbose``, ``epochs``, ``steps`` (steps per epoch, or None when unknown);
            given to every callback through ``set_params``.

    Logs handed to user callbacks are Python numbers; the built-in ``ProgbarLogger`` receives the
    raw logs and converts them only when it draws, so a silent or throttled bar costs no sync.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        self.callbacks = _flatten(callbacks)
        self._history = None
        self._progbar = None
        for callback in self.callbacks:
            if isinstance(callback, History):
                self._history = callback
            elif isinstance(callback, ProgbarLogger):
                self._progbar = callback
        if add_history and self._history is None:
            self._history = History()
            self.callbacks.append(self._history)
        if add_progbar and self._progbar is None:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.model = None
        self.params = {}
        self._needs_cache = None
        self._plans = None
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    # -- setup --------------------------------------------------------------------------------
    def append(self, callback):
        self.callbacks.append(callback)
        self._needs_cache = None
        self._plans = None
        if isinstance(callback, History) and self._history is None:
            self._history = callback
        if isinstance(callback, ProgbarLogger) and self._progbar is None:
            self._progbar = callback
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def set_model(self, model):
        self.model = model
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params):
        self.params = dict(params)
        for callback in self.callbacks:
            callback.set_params(self.params)

    @property
    def history(self):
        """The ``History`` callback in the list (what ``fit`` returns), or None."""
        return self._history

    @property
    def progbar(self):
        """The ``ProgbarLogger`` in the list, or None."""
        return self._progbar

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    # -- which hooks matter ---------------------------------------------------------------------
    def _user_callbacks(self):
        return [c for c in self.callbacks if not isinstance(c, (History, ProgbarLogger))]

    def _needs(self, mode):
        if self._needs_cache is None:
            self._needs_cache = {
                name: any(
                    not isinstance(c, Callback) or any(_overrides(c, h) for h in hooks)
                    for c in self._user_callbacks()
                )
                for name, hooks in _BATCH_HOOKS.items()
            }
        return self._needs_cache[mode]

    @property
    def needs_train_batch_hooks(self):
        """True if a callback other than History/ProgbarLogger overrides a train batch hook."""
        return self._needs("train")

    @property
    def needs_test_batch_hooks(self):
        return self._needs("test")

    @property
    def needs_predict_batch_hooks(self):
        return self._needs("predict")

    @property
    def stops_on_nonfinite_loss(self):
        """True if a ``TerminateOnNaN`` is in the list: ``fit`` then leaves a NaN/inf loss to it
        (a clean stop) instead of raising ``NonFiniteLossError``."""
        from keraslite.callbacks.terminate_on_nan import TerminateOnNaN

        return any(isinstance(c, TerminateOnNaN) for c in self.callbacks)

    @property
    def needs_batch_hooks(self):
        """True if any callback other than History/ProgbarLogger overrides any batch-level hook.

        When False, the trainer may run many steps per compiled call and only report the last
        step of each call to ``on_*_batch_end`` (which keeps the progress bar moving).
        """
        return self._needs("train") or self._needs("test") or self._needs("predict")

    # -- dispatch -------------------------------------------------------------------------------
    def _plan(self, hook):
        """(callback, wants_python_logs) for each callback that must see ``hook``."""
        if self._plans is None:
            self._plans = {}
        plans = self._plans.get(hook)
        if plans is None:
            plans = []
            hooks = (hook,)
            if hook.startswith("on_train_batch"):  # the default forwards to on_batch_*
                hooks += (hook.replace("on_train_batch", "on_batch"),)
            for callback in self.callbacks:
                if isinstance(callback, ProgbarLogger):
                    plans.append((callback, False))  # converts lazily, only when it draws
                elif ("_batch_" in hook and isinstance(callback, Callback)
                      and not any(_overrides(callback, h) for h in hooks)):
                    continue  # a no-op hook: skip it and the device sync that logs would cost
                else:
                    plans.append((callback, True))
            self._plans[hook] = plans
        return plans

    def _call(self, hook, *args, logs=None):
        python_logs = None
        for callback, wants_python in self._plan(hook):
            if not wants_python:
                getattr(callback, hook)(*args, logs=logs)
                continue
            if python_logs is None:
                python_logs = pythonify_logs(logs)
            getattr(callback, hook)(*args, logs=python_logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs=logs)


def _flatten(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, CallbackList):
        return list(callbacks.callbacks)
    if isinstance(callbacks, (list, tuple)):
        out = []
        for item in callbacks:
            out.extend(_flatten(item))
        return out
    return [callbacks]
