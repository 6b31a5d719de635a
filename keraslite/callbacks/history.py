"""History: the record of per-epoch logs that ``fit`` returns."""
from __future__ import annotations

from keraslite.callbacks.callback import Callback


class History(Callback):
    """Collects each epoch's logs; ``fit`` adds one automatically and returns it.

    ``history`` maps each log name to a list with one value per epoch, and ``epoch`` lists the
    epoch indices seen. Example::

        history = model.fit(x, y, epochs=3)
        history.history["loss"]   # [0.61, 0.42, 0.33]
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        # fit returns model.history: set it now, so a fit that runs no epoch (epochs=0, or
        # initial_epoch >= epochs) returns this empty History, as Keras does.
        if self.model is not None:
            try:
                self.model.history = self
            except AttributeError:
                pass

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            try:
                self.model.history = self
            except AttributeError:  # a model that refuses new attributes still trains
                pass
