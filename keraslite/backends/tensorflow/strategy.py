"""The ``tf.distribute`` strategy a model belongs to (``Model.distribute_strategy``)."""
from __future__ import annotations

import tensorflow as tf


def creation_strategy() -> tf.distribute.Strategy | None:
    """The strategy whose ``scope()`` is open now (a model remembers the one it was made
    under, as in Keras), or None outside every strategy scope."""
    return tf.distribute.get_strategy() if tf.distribute.has_strategy() else None


def current_strategy(recorded: tf.distribute.Strategy | None) -> tf.distribute.Strategy:
    """``recorded``, else TensorFlow's default (single-device) strategy."""
    return recorded or tf.distribute.get_strategy()
