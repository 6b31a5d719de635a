"""ProgbarLogger: prints the progress bar and metrics during fit, evaluate and predict."""
from __future__ import annotations

from keraslite.callbacks.callback import Callback
from keraslite.utils.progbar import ALL_STATEFUL, Progbar, print_msg


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar with the running metrics.

    ``fit``/``evaluate``/``predict`` add one automatically when ``verbose != 0``; its settings come
    from the ``verbose``, ``epochs`` and ``steps`` params. Validation inside ``fit`` is silent: its
    results appear as ``val_*`` on the epoch's final line.
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose or 0)
        self.epochs = params.get("epochs", 1) or 1
        self.target = params.get("steps")

    def _reset(self):
        self.seen = 0
        self.progbar = None

    def _ensure_progbar(self):
        if self.progbar is None:
            self.progbar = Progbar(self.target, verbose=self.verbose, stateful_metrics=ALL_STATEFUL)

    def _update(self, batch, logs):
        self._ensure_progbar()
        self.seen = batch + 1
        self.progbar.update(self.seen, logs, finalize=False)

    def _finalize(self, logs):
        self._ensure_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.target, logs, finalize=True)

    # -- fit ------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()
        self._ensure_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    # -- evaluate -------------------------------------------------------------------------------
    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset()
            self._ensure_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    # -- predict --------------------------------------------------------------------------------
    def on_predict_begin(self, logs=None):
        self._reset()
        self._ensure_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)  # the outputs are not metrics

    def on_predict_end(self, logs=None):
        self._finalize(None)
