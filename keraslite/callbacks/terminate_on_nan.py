"""TerminateOnNaN: stop training cleanly when the training loss becomes NaN or infinite."""
from __future__ import annotations

import math

from keraslite.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stops ``fit`` (``model.stop_training = True``) at the first batch whose loss is NaN or inf.

    Without this callback, ``fit`` raises ``NonFiniteLossError`` on a non-finite loss. With it,
    ``fit`` leaves the loss to this callback: the epoch ends at that batch, ``on_epoch_end`` and
    ``on_train_end`` run for every callback, and ``fit`` returns its History.

    The callback checks every batch, so ``fit`` runs one step per compiled call while it is
    present (as every per-batch callback does).

    Args:
        raise_error: raise a ``RuntimeError`` instead of stopping cleanly (Keras 3); the other
            callbacks' ``on_train_end`` then does not run.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = bool(raise_error)

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"TerminateOnNaN: the training loss became {loss} at batch {batch}."
            )
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
