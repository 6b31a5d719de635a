"""Writing Keras 3 archives: every model of the Keras-written corpus, loaded by keraslite and
saved again as ``.keras``, loads in Keras 3 (one subprocess for all) with the same predictions;
``.keraslite`` stays keraslite's format; both load back in keraslite, told apart by content."""
import os
import warnings
import zipfile

import numpy as np
import pytest

import keraslite
from keras_archive_cases import CASES
from keras_archive_corpus import corpus_dir, run_oracle
from keraslite.saving import format_sniffing
from test_keras_archives import _arrays, keraslite_classes, predict

pytest.importorskip("h5py")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """keraslite's re-saved corpus, and what Keras made of each file."""
    corpus = corpus_dir()
    keraslite_classes()
    out = tmp_path_factory.mktemp("from_keraslite")
    for name in CASES:
        model = keraslite.models.load_model(os.path.join(corpus, f"{name}.keras"))
        model.save(str(out / f"{name}.from_keraslite.keras"))
        os.link(os.path.join(corpus, f"{name}.inputs.npz"), out / f"{name}.inputs.npz")
    run_oracle("read", str(out))
    return corpus, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_loads_what_keraslite_wrote(written, name):
    corpus, out = written
    error = out / f"{name}.keras_error.txt"
    assert not error.exists(), error.read_text()
    expected = _arrays(os.path.join(corpus, f"{name}.expected.npz"))
    got = _arrays(out / f"{name}.keras_predictions.npz")
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["seq_mlp", "func_multi_io", "transformer_block",
                                  "registered_custom_layer", "subclassed_model"])
def test_keraslite_reloads_its_keras_archives(written, name):
    corpus, out = written
    path = out / f"{name}.from_keraslite.keras"
    assert format_sniffing.sniff(path) == format_sniffing.KERAS_ARCHIVE
    model = keraslite.models.load_model(str(path))
    inputs = _arrays(out / f"{name}.inputs.npz")
    for g, e in zip(predict(model, inputs), _arrays(os.path.join(corpus,
                                                                   f"{name}.expected.npz"))):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def _mlp():
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)
    return model


def test_keraslite_extension_keeps_keraslite_format(tmp_path):
    model = _mlp()
    model.save(str(tmp_path / "m.keraslite"))
    with zipfile.ZipFile(tmp_path / "m.keraslite") as z:
        assert "model.weights.safetensors" in z.namelist()
    assert format_sniffing.sniff(tmp_path / "m.keraslite") == format_sniffing.KERASLITE


def test_keraslite_format_under_a_keras_name_still_loads(tmp_path):
    """Files keraslite wrote before it wrote Keras archives: its own format named '.keras'."""
    from keraslite.saving import archive, model_file

    model = _mlp()
    path = tmp_path / "old.keras"
    archive.write_archive(path, model_file.model_entries(model))
    assert format_sniffing.sniff(path) == format_sniffing.KERASLITE
    loaded = keraslite.models.load_model(str(path))
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_optimizer_state_round_trips_through_a_keras_archive(tmp_path):
    model = _mlp()
    model.save(str(tmp_path / "m.keras"))
    loaded = keraslite.models.load_model(str(tmp_path / "m.keras"))
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(keraslite.ops.convert_to_numpy(a.value),
                                      keraslite.ops.convert_to_numpy(b.value))


def test_model_keras_cannot_describe_falls_back_with_a_warning(tmp_path):
    i = keraslite.Input((3,))
    model = keraslite.Model(i, keraslite.ops.sin(keraslite.layers.Dense(2)(i)))
    with pytest.warns(UserWarning, match="keraslite's own format"):
        model.save(str(tmp_path / "m.keras"))
    assert format_sniffing.sniff(tmp_path / "m.keras") == format_sniffing.KERASLITE
    loaded = keraslite.models.load_model(str(tmp_path / "m.keras"))
    x = np.ones((2, 3), "float32")
    with warnings.catch_warnings():
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=1e-6)
