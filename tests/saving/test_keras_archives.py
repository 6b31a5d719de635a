"""Reading Keras 3 ``.keras`` archives: a corpus written by Keras 3 (see keras_archive_cases)
loads with Keras's predictions, compile config and optimizer state, on either backend."""
import os

import numpy as np
import pytest

import keraslite
from keras_archive_cases import CASES, custom_classes
from keras_archive_corpus import corpus_dir

pytest.importorskip("h5py")
TRAINED = [name for name in CASES if CASES[name].__code__.co_names.count("compile")]


@pytest.fixture(scope="module")
def corpus():
    return corpus_dir()


_CLASSES: dict = {}


def keraslite_classes():
    """The corpus's custom classes defined against keraslite, registered once per process."""
    if not _CLASSES:
        _CLASSES.update(custom_classes(keraslite))
    return _CLASSES


@pytest.fixture(scope="module")
def registered():
    return keraslite_classes()


def _arrays(path):
    with np.load(path) as data:
        return [data[k] for k in sorted(data.files, key=lambda k: int(k.split("_")[-1]))]


def predict(model, inputs):
    x = inputs if len(inputs) > 1 else inputs[0]
    if isinstance(getattr(model, "_inputs_struct", None), dict):
        x = dict(zip(sorted(model._inputs_struct), inputs))
    out = model(x, training=False)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    return [keraslite.ops.convert_to_numpy(o) for o in out]


def load(corpus, name, **kwargs):
    return keraslite.models.load_model(os.path.join(corpus, f"{name}.keras"), **kwargs)


def test_corpus_is_large_enough():
    assert len(CASES) >= 25
    assert len(TRAINED) >= 8


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_archive_gives_keras_predictions(corpus, registered, name):
    model = load(corpus, name)
    inputs = _arrays(os.path.join(corpus, f"{name}.inputs.npz"))
    expected = _arrays(os.path.join(corpus, f"{name}.expected.npz"))
    got = predict(model, inputs)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", TRAINED)
def test_training_continues_from_keras_optimizer_state(corpus, registered, name):
    model = load(corpus, name)
    assert model.compiled
    with np.load(os.path.join(corpus, f"{name}.train.npz")) as data:
        xs = [data[k] for k in sorted(k for k in data.files if k.startswith("x"))]
        ys = [data[k] for k in sorted(k for k in data.files if k.startswith("y"))]
    # Keras ran one epoch in batches of 4 before saving: restored, not a fresh optimizer.
    iterations = int(keraslite.ops.convert_to_numpy(model.optimizer.iterations))
    assert iterations == -(-len(xs[0]) // 4)
    model.train_on_batch(xs if len(xs) > 1 else xs[0], ys if len(ys) > 1 else ys[0])
    inputs = _arrays(os.path.join(corpus, f"{name}.inputs.npz"))
    expected = _arrays(os.path.join(corpus, f"{name}.after_step.npz"))
    for g, e in zip(predict(model, inputs), expected):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4)


def test_compile_false_returns_an_uncompiled_model(corpus):
    model = load(corpus, "seq_mlp", compile=False)
    assert not model.compiled


def test_saving_load_model_reads_keras_archives(corpus):
    model = keraslite.saving.load_model(os.path.join(corpus, "lstm.keras"))
    assert model.compiled


def test_load_weights_from_a_keras_archive(corpus):
    loaded = load(corpus, "seq_built_without_input")
    fresh = keraslite.Sequential([keraslite.layers.Dense(4, activation="tanh"),
                                  keraslite.layers.Dense(2)])
    fresh.build((None, 5))
    fresh.load_weights(os.path.join(corpus, "seq_built_without_input.keras"))
    for a, b in zip(fresh.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def _crafted(tmp_path, **dense_overrides):
    from test_keras_archives_hostile import _archive, _dense, _sequential

    path = tmp_path / "m.keras"
    _archive(path, _sequential(_dense(**dense_overrides)))
    return str(path)


def test_keras_only_argument_at_its_default_is_accepted(tmp_path):
    model = keraslite.models.load_model(_crafted(tmp_path, quantization_config=None,
                                                 lora_rank=None))
    assert model.layers[-1].units == 2


def test_keras_only_argument_set_is_refused_naming_it(tmp_path):
    with pytest.raises(ValueError, match="'dense' \\(Dense\\).*lora_rank.*4"):
        keraslite.models.load_model(_crafted(tmp_path, lora_rank=4))


def test_unknown_argument_is_named(tmp_path):
    with pytest.raises(TypeError, match="dense.*flux_capacitor"):
        keraslite.models.load_model(_crafted(tmp_path, flux_capacitor=1))


def test_unregistered_custom_class_is_refused_naming_it(corpus):
    from keraslite.saving import serialization

    keraslite_classes()
    saved = {k: serialization._REGISTRY.pop(k) for k in list(serialization._REGISTRY)
             if k.startswith("Corpus>")}
    try:
        with pytest.raises(ValueError, match="'Scale'.*registered as 'Corpus>Scale'"):
            load(corpus, "registered_custom_layer")
    finally:
        serialization._REGISTRY.update(saved)
