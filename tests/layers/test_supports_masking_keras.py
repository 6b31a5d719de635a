"""Which layers pass a mask on (``supports_masking``) is Keras 3's choice, layer by layer: a mask
that stops at a different layer changes what losses and metrics count. Keras 3 is the oracle."""
import inspect
import os

import pytest

import keraslite

# Constructor arguments tried in turn until both libraries accept one.
_TRIES = [(), (4,), (4, 3), ((4,),), ("relu",)]


def _instances(name, keras):
    for args in _TRIES:
        try:
            return getattr(keras.layers, name)(*args), getattr(keraslite.layers, name)(*args)
        except Exception:  # noqa: BLE001 - the next argument list is tried
            continue
    return None


def test_supports_masking_matches_keras_for_every_shared_layer():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    compared, differ = 0, []
    for name in sorted(dir(keras.layers)):
        if not inspect.isclass(getattr(keras.layers, name)) or not hasattr(keraslite.layers, name):
            continue
        pair = _instances(name, keras)
        if pair is None:
            continue
        compared += 1
        theirs, ours = (getattr(layer, "supports_masking", None) for layer in pair)
        if theirs != ours:
            differ.append((name, theirs, ours))
    assert compared > 80
    assert differ == []
