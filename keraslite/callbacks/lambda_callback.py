"""LambdaCallback: a callback made of plain functions, one per hook."""
from __future__ import annotations

from keraslite.callbacks.callback import Callback

# Hooks that receive an epoch or batch index before the logs; the others receive only logs.
_INDEXED = (
    "on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end",
    "on_batch_begin", "on_batch_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_batch_begin", "on_predict_batch_end",
)
_UNINDEXED = (
    "on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
    "on_predict_end",
)
HOOKS = _INDEXED + _UNINDEXED


def _indexed(function):
    def hook(index, logs=None):
        return function(index, logs)
    return hook


def _unindexed(function):
    def hook(logs=None):
        return function(logs)
    return hook


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given, called with positional arguments.

    Epoch and batch hooks are called as ``fn(index, logs)``; begin/end hooks of train, test
    and predict as ``fn(logs)``. Only the hooks given are set on the instance, so giving no
    batch function keeps ``fit`` at full speed.

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end, on_batch_begin, on_batch_end, on_test_begin, on_test_end,
        on_test_batch_begin, on_test_batch_end, on_predict_begin, on_predict_end,
        on_predict_batch_begin, on_predict_batch_end: functions for those hooks, or None.

    Example::

        print_loss = keraslite.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **more_hooks):
        super().__init__()
        unknown = sorted(set(more_hooks) - set(HOOKS))
        if unknown:
            raise TypeError(
                f"LambdaCallback got unknown hook name(s) {unknown}. Expected some of: "
                f"{', '.join(HOOKS)}."
            )
        hooks = dict(more_hooks, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(
                    f"LambdaCallback: `{name}` must be a function or None. "
                    f"Received: {name}={function!r}"
                )
            # Set on the instance: CallbackList then calls (and, for batch hooks, runs one
            # step per compiled call for) exactly the hooks that were given.
            setattr(self, name, _indexed(function) if name in _INDEXED else _unindexed(function))
