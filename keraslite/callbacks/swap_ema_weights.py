"""SwapEMAWeights: evaluate and predict with the optimizer's moving averages of the weights
(``use_ema=True``) while training keeps updating the raw weights."""
from __future__ import annotations

from keraslite.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the model's weights with their EMA for ``evaluate``/``predict`` (and the
    validation inside ``fit``), and back afterwards. With ``swap_on_epoch``, the EMA weights are
    also in the model between epochs (so e.g. ModelCheckpoint saves them).

    Example::

        model.compile(optimizer=keraslite.optimizers.SGD(use_ema=True), loss="mse")
        model.fit(x, y, validation_data=(vx, vy), callbacks=[SwapEMAWeights()])
    """

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._swapped = False

    def _ema_optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None or not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights needs an optimizer created with use_ema=True. "
                             f"Received: use_ema={getattr(optimizer, 'use_ema', None)} "
                             f"(optimizer {optimizer!r})")
        return optimizer

    def _swap(self):
        optimizer = self._ema_optimizer()
        if not optimizer.built:
            return False  # nothing trained yet: there is no average to swap in
        for var, average in zip(optimizer._trainable_variables, optimizer._ema):
            current = var.value
            var.assign(average.value)
            average.assign(current)
        return True

    def _swap_in(self):
        if not self._swapped:
            self._swapped = self._swap()

    def _swap_out(self):
        if self._swapped:
            self._swap()
            self._swapped = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        if not self.swap_on_epoch:
            return
        self._swap_in()
        if self._swapped and self.params and epoch == self.params.get("epochs", 0) - 1:
            # fit ends by copying the averages into the weights: keep them equal to the
            # weights now in the model (the averages), not the raw weights parked in their place.
            optimizer = self._ema_optimizer()
            for var, average in zip(optimizer._trainable_variables, optimizer._ema):
                average.assign(var.value)
            self._swapped = False

    def on_test_begin(self, logs=None):
        self._swap_in()

    def on_test_end(self, logs=None):
        self._swap_out()

    def on_predict_begin(self, logs=None):
        self._swap_in()

    def on_predict_end(self, logs=None):
        self._swap_out()
