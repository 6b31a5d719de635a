"""The Callback base class: hooks that ``fit``, ``evaluate`` and ``predict`` call as they run."""
from __future__ import annotations


class Callback:
    """Base class for objects that react to training events.

    Override any hook; the defaults do nothing. ``logs`` is a dict of Python floats (metric name ->
    value; running means for batch hooks, final values for epoch/end hooks). ``self.model`` is the
    model being trained and ``self.params`` holds ``verbose``, ``epochs`` and ``steps``.

    Overriding a batch-level hook makes the trainer run one step per compiled call (so the hook
    sees every batch), which is slower; prefer epoch-level hooks where they suffice. A hook may
    also be assigned on the instance (``self.on_train_batch_end = fn`` in ``__init__``); it then
    counts only for that instance, which lets a callback need batch hooks only for some of its
    settings (``TensorBoard(update_freq=10)``, ``ModelCheckpoint(save_freq=100)``).

    Optional state protocol: a callback whose decisions depend on what it has seen (a patience
    counter, the best value so far) implements ``get_state() -> dict`` and ``set_state(state)``,
    so that ``BackupAndRestore`` can save it and a resumed ``fit`` carries on where it stopped.
    The state holds JSON values (numbers, strings, lists, None); arrays appear only under keys
    documented by the callback (``"best_weights"``: a list of NumPy arrays). A restored state
    survives the next ``on_train_begin``, so ``set_state`` may be called before ``fit`` starts
    or from another callback's ``on_train_begin``. The defaults keep no state.

    Example::

        class StopAtLoss(keraslite.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if logs["loss"] < 0.1:
                    self.model.stop_training = True
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    # -- state (optional protocol, see the class docstring) -----------------------------------
    def get_state(self):
        """The callback's resumable state as a dict; empty for a stateless callback."""
        return {}

    def set_state(self, state):
        """Restores a state returned by ``get_state``; a stateless callback ignores it."""

    # -- training -----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs=None):
        """Called once at the end of ``fit``; ``logs`` are the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (0-based ``epoch``)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch; ``logs`` include ``val_*`` entries after validation."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training on batch ``batch`` (0-based index within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after batch ``batch``; ``logs`` are the epoch's running metric values."""
        self.on_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        """Alias of ``on_train_batch_begin`` kept for older code."""

    def on_batch_end(self, batch, logs=None):
        """Alias of ``on_train_batch_end`` kept for older code."""

    # -- evaluation -----------------------------------------------------------------------------
    def on_test_begin(self, logs=None):
        """Called at the start of ``evaluate`` (and of validation inside ``fit``)."""

    def on_test_end(self, logs=None):
        """Called at the end of ``evaluate``; ``logs`` are the final metric values."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before evaluating batch ``batch``."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after evaluating batch ``batch``; ``logs`` are running metric values."""

    # -- prediction -----------------------------------------------------------------------------
    def on_predict_begin(self, logs=None):
        """Called at the start of ``predict``."""

    def on_predict_end(self, logs=None):
        """Called at the end of ``predict``."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before predicting batch ``batch``."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after predicting batch ``batch``; ``logs`` is ``{"outputs": batch_outputs}``."""
