"""Weight files are keyed by the model state's readable paths (the keys of get_state()), and
files written with the earlier positional keys (``vars/<i>``, ``optimizer/vars/<i>``) still
load."""
import numpy as np

import keraslite
from keraslite import layers
from keraslite.saving import archive, tensor_file
from keraslite.saving.model_file import WEIGHTS_ENTRY
from keraslite.saving.weight_paths import (legacy_named_variables, named_variables,
                                           optimizer_variables)

X = np.random.RandomState(0).rand(16, 6).astype("float32")
Y = np.random.RandomState(1).rand(16, 1).astype("float32")


def _model(seed):
    keraslite.utils.set_random_seed(seed)
    model = keraslite.Sequential([keraslite.Input((6,)), layers.Dense(4, activation="relu"),
                                  layers.Dropout(0.2), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_saved_keys_are_the_state_paths(tmp_path):
    model = _model(0)
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keraslite")
    model.save_weights(tmp_path / "w.safetensors")
    entries = archive.read_archive(tmp_path / "m.keraslite")
    saved, _ = tensor_file.decode_tensors(entries[WEIGHTS_ENTRY], "m")
    state = model.get_state()
    assert "layers/dense/kernel" in saved and "optimizer/velocity/layers/dense_1/bias" in saved
    for key, array in saved.items():
        np.testing.assert_array_equal(array, state[key])
    weights, _ = tensor_file.load_tensors(tmp_path / "w.safetensors")
    assert sorted(weights) == ["layers/dense/bias", "layers/dense/kernel", "layers/dense_1/bias",
                               "layers/dense_1/kernel"]


def test_files_with_positional_keys_still_load(tmp_path):
    source = _model(0)
    source.fit(X, Y, epochs=2, verbose=0)
    source.save(tmp_path / "new.keraslite")
    # Rewrite the file the way earlier versions keyed it.
    entries = archive.read_archive(tmp_path / "new.keraslite")
    saved, _ = tensor_file.decode_tensors(entries[WEIGHTS_ENTRY], "new")
    legacy = {key: saved[path] for path, key in zip(
        named_variables(source),
        legacy_named_variables(source))}
    optimizer_paths = [k for k in saved if k.startswith("optimizer/")]
    current = optimizer_variables(source.optimizer, source)
    order = {id(v): i for i, v in enumerate(source.optimizer.variables)}
    for path in optimizer_paths:
        legacy[f"optimizer/vars/{order[id(current[path])]}"] = saved[path]
    entries[WEIGHTS_ENTRY] = tensor_file.encode_tensors(legacy, {"format": "keraslite.model"})
    archive.write_archive(tmp_path / "old.keraslite", entries)

    loaded = keraslite.models.load_model(tmp_path / "old.keraslite")
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(loaded.optimizer.iterations.numpy()) == int(source.optimizer.iterations.numpy())
    # The next step continues identically from the restored optimizer state.
    source.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)

    target = _model(7)
    target.load_weights(tmp_path / "old.keraslite")
    for a, b in zip(target.get_weights(), keraslite.models.load_model(
            tmp_path / "old.keraslite").get_weights()):
        np.testing.assert_array_equal(a, b)
    weights = {k: v for k, v in legacy.items() if "/vars/" in k and not k.startswith("optim")}
    tensor_file.save_tensors(tmp_path / "old.safetensors", weights,
                             {"format": "keraslite.weights"})
    fresh = _model(9)
    fresh.load_weights(tmp_path / "old.safetensors")
    for a, b in zip(fresh.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)
