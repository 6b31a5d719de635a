"""keras.config's debugging caps, flash-attention switches and set_backend, and keras.backend's
dtype helpers, against Keras 3."""
import os
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import backend, config


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.fixture
def caps():
    yield
    config.set_max_epochs(None)
    config.set_max_steps_per_epoch(None)


def _fit_lengths(lib, epochs, steps_per_epoch=None):
    """(epochs run, optimizer steps taken) for 40 samples in batches of 8 (5 steps an epoch)."""
    x = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    y = x.sum(-1, keepdims=True)
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(x, y, batch_size=8, epochs=epochs, steps_per_epoch=steps_per_epoch,
                            verbose=0)
    return len(history.epoch), int(np.asarray(model.optimizer.iterations))


@pytest.mark.parametrize("max_epochs,max_steps,epochs,steps", [
    (2, None, 4, None), (None, 3, 2, None), (3, 2, 2, 4), (5, 9, 2, 4),
])
def test_fit_honours_the_caps(keras, caps, max_epochs, max_steps, epochs, steps):
    # The reference for a capped fit is an uncapped fit given the capped lengths outright.
    want_epochs = min(epochs, max_epochs or epochs)
    want_steps = steps if max_steps is None else min(steps or max_steps, max_steps)
    expected = _fit_lengths(keraslite, want_epochs, want_steps)
    config.set_max_epochs(max_epochs)
    config.set_max_steps_per_epoch(max_steps)
    assert _fit_lengths(keraslite, epochs, steps) == expected
    assert (config.max_epochs(), config.max_steps_per_epoch()) == (max_epochs, max_steps)
    # Keras 3 runs the same number of epochs. (Its step count is not compared: with arrays and
    # steps_per_epoch, Keras carries the data iterator across epochs, 5 steps in all here.)
    keras.config.set_max_epochs(max_epochs)
    keras.config.set_max_steps_per_epoch(max_steps)
    try:
        assert _fit_lengths(keras, epochs, steps)[0] == expected[0]
    finally:
        keras.config.set_max_epochs(None)
        keras.config.set_max_steps_per_epoch(None)


def test_cap_warns_and_bad_caps_are_named(caps):
    config.set_max_epochs(1)
    with pytest.warns(UserWarning, match="Limiting epochs to 1"):
        assert config.capped_fit_lengths(3, None) == (1, None)
    for bad in (0, -2, 1.5, True, "3"):
        with pytest.raises(ValueError, match="`max_epochs` must be a positive integer"):
            config.set_max_epochs(bad)
        with pytest.raises(ValueError, match="`max_steps_per_epoch` must be a positive"):
            config.set_max_steps_per_epoch(bad)


def test_flash_attention_and_nnx_read_back_as_in_keras(keras):
    for switch in ("disable_flash_attention", "enable_flash_attention"):
        getattr(config, switch)()
        getattr(keras.config, switch)()
        assert config.is_flash_attention_enabled() == keras.config.is_flash_attention_enabled()
    assert config.is_nnx_enabled() is keras.config.is_nnx_enabled() is False


def test_set_backend_says_how_to_choose_the_backend():
    with pytest.raises(RuntimeError, match="KERASLITE_BACKEND"):
        config.set_backend("tensorflow")
    assert config.backend() == backend.backend()


DTYPES = ["bool", "uint8", "uint16", "int8", "int16", "int32", "int64", "bfloat16", "float16",
          "float32", "float64"]


def test_dtype_predicates_and_promotion_match_keras(keras):
    if keras.backend.backend() == "jax":
        import jax

        x64 = jax.config.jax_enable_x64
    narrow = {"int64": "int32", "float64": "float32"}

    def as_keras(dtype):
        # Keras on JAX without x64 answers in 32 bits where the promotion gives 64.
        return narrow.get(dtype, dtype) if keras.backend.backend() == "jax" and not x64 else dtype

    for a in DTYPES:
        assert backend.is_float_dtype(a) == keras.backend.is_float_dtype(a), a
        assert backend.is_int_dtype(a) == keras.backend.is_int_dtype(a), a
        assert backend.is_float_dtype(np.dtype(a) if a != "bfloat16" else a) == \
            keras.backend.is_float_dtype(a)
        for b in DTYPES:
            assert as_keras(backend.result_type(a, b)) == keras.backend.result_type(a, b), (a, b)
    assert backend.result_type() == keras.backend.result_type() == "float32"
    assert backend.result_type("int8", "uint8", "float16") == \
        keras.backend.result_type("int8", "uint8", "float16")


def test_get_uid_counts_per_prefix_and_clear_session_resets(keras):
    keras.backend.clear_session()
    ours = [backend.get_uid("a"), backend.get_uid("a"), backend.get_uid("b"), backend.get_uid()]
    theirs = [keras.backend.get_uid("a"), keras.backend.get_uid("a"),
              keras.backend.get_uid("b"), keras.backend.get_uid()]
    assert ours == theirs == [1, 2, 1, 1]
    backend.clear_session()
    assert backend.get_uid("a") == 1


def test_is_keras_tensor():
    symbolic = keraslite.Input((3,))
    assert backend.is_keras_tensor(symbolic)
    assert not backend.is_keras_tensor(np.zeros(3))
    assert not backend.is_keras_tensor(backend.convert_to_tensor(np.zeros(3)))
