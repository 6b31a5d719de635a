"""Keras's custom saving hook: a layer overriding save_own_variables / load_own_variables is
saved and loaded through a store by every format (.keraslite, .keras, .safetensors,
.weights.h5). Files written by Keras 3 for such a layer are in the corpus
(keras_archive_cases.custom_saving_hook)."""
import numpy as np
import pytest

import keraslite
from keraslite import layers, ops
from keraslite.saving import tensor_file

pytest.importorskip("h5py")

TABLE = np.array([0.5, -1.0, 2.0], "float32")


@keraslite.saving.register_serializable(package="HookTest")
class TableShift(layers.Layer):
    """A weight plus a table that is not a Variable: only the hooks carry the table."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.table = np.zeros((input_shape[-1],), "float32")

    def call(self, x):
        return x * self.w + ops.convert_to_tensor(self.table)

    def save_own_variables(self, store):
        store["w"] = self.w
        store["table"] = self.table

    def load_own_variables(self, store):
        self.w.assign(store["w"])
        self.table = np.array(store["table"], "float32")


@keraslite.saving.register_serializable(package="HookTest")
class Offsets(layers.Layer):
    """No variables at all: its state travels only through the hooks."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.offsets = np.zeros((3,), "float32")

    def call(self, x):
        return x + ops.convert_to_tensor(self.offsets)

    def save_own_variables(self, store):
        store["offsets"] = self.offsets

    def load_own_variables(self, store):
        self.offsets = np.array(store["offsets"], "float32")


@keraslite.saving.register_serializable(package="HookTest")
class Net(keraslite.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(3)
        self.shift = TableShift()
        self.offsets = Offsets()

    def call(self, x):
        return self.offsets(self.shift(self.dense(x)))


def _models():
    seq = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(3), TableShift(), Offsets()])
    net = Net()
    net(np.zeros((1, 3), "float32"))
    for model in (seq, net):
        shift, offsets = [layer for layer in _all_layers(model)
                          if isinstance(layer, (TableShift, Offsets))]
        shift.table = TABLE.copy()
        shift.w.assign(np.array([2.0, 3.0, 4.0], "float32"))
        offsets.offsets = np.array([10.0, 20.0, 30.0], "float32")
    return {"sequential": seq, "subclassed": net}


def _all_layers(layer):
    out = []
    for sub in layer._layers:
        out += [sub] + _all_layers(sub)
    return out


X = np.random.default_rng(3).normal(size=(4, 3)).astype("float32")


def _predict(model):
    return np.asarray(ops.convert_to_numpy(model(X)))


@pytest.mark.parametrize("kind", ["sequential", "subclassed"])
@pytest.mark.parametrize("filename", ["m.keraslite", "m.keras", "w.safetensors", "w.weights.h5"])
def test_hooks_round_trip(tmp_path, kind, filename):
    model = _models()[kind]
    expected = _predict(model)
    path = str(tmp_path / filename)
    if filename.startswith("m."):
        model.save(path)
        loaded = keraslite.models.load_model(path)
    else:
        model.save_weights(path)
        loaded = _models()[kind]
        for layer in _all_layers(loaded):  # fresh state, so the file must supply it
            if isinstance(layer, TableShift):
                layer.table = np.zeros(3, "float32")
            if isinstance(layer, Offsets):
                layer.offsets = np.zeros(3, "float32")
        loaded.load_weights(path)
    np.testing.assert_allclose(_predict(loaded), expected, rtol=1e-6)
    shift = [layer for layer in _all_layers(loaded) if isinstance(layer, TableShift)][0]
    np.testing.assert_array_equal(shift.table, TABLE)


def test_store_keys_in_keraslite_files(tmp_path):
    model = _models()["sequential"]
    path = str(tmp_path / "w.safetensors")
    model.save_weights(path)
    tensors, _ = tensor_file.load_tensors(path)
    assert sorted(tensors) == ["layers/dense/bias", "layers/dense/kernel",
                               "layers/offsets/own_variables/offsets",
                               "layers/table_shift/own_variables/table",
                               "layers/table_shift/own_variables/w"]
    np.testing.assert_array_equal(tensors["layers/table_shift/own_variables/table"], TABLE)


def test_store_keys_in_keras_files(tmp_path):
    import h5py

    model = _models()["sequential"]
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert sorted(f["layers/table_shift/vars"]) == ["table", "w"]
        assert sorted(f["layers/dense/vars"]) == ["0", "1"]  # no hook: Keras's default keys
        np.testing.assert_array_equal(f["layers/offsets/vars/offsets"][()], [10.0, 20.0, 30.0])


class _BadStore(layers.Layer):
    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,), name="w")

    def save_own_variables(self, store):
        key, value = self.value
        store[key] = value

    def load_own_variables(self, store):
        self.w.assign(store["missing"])


@pytest.mark.parametrize("filename", ["w.safetensors", "w.weights.h5"])
@pytest.mark.parametrize("bad, message", [
    (("names", np.array(["a", "b"])), r"'bad'.*dtype <U1 under 'names'"),
    (("ragged", [[1.0], [2.0, 3.0]]), r"'bad'.*under 'ragged' that is not an array"),
    (("a/b", np.zeros(2)), r"'bad'.*under the key 'a/b'"),
    ((3, np.zeros(2)), r"'bad'.*under the key 3"),
])
def test_bad_store_values_are_named(tmp_path, filename, bad, message):
    model = keraslite.Sequential([keraslite.Input((1,)), _BadStore(bad, name="bad")])
    with pytest.raises(TypeError, match=message):
        model.save_weights(str(tmp_path / filename))
    assert not (tmp_path / filename).exists()


@pytest.mark.parametrize("filename", ["w.safetensors", "w.weights.h5"])
def test_failing_load_hook_is_named_and_changes_nothing(tmp_path, filename):
    def build():
        bad = _BadStore(("0", np.ones(1, "float32")), name="bad")
        return keraslite.Sequential([keraslite.Input((1,)), layers.Dense(1), bad])

    path = str(tmp_path / filename)
    build().save_weights(path)
    model = build()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"layer 'bad': its load_own_variables failed: the key "
                                         r"'missing' is missing \(the store holds \['0'\]\)"):
        model.load_weights(path)
    for got, want in zip(model.get_weights(), before):  # the Dense weights were put back
        np.testing.assert_array_equal(got, want)


def test_file_written_before_the_hook_loads_key_by_key(tmp_path):
    class TableShift(layers.Layer):  # the same class name, without the hooks
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w

    old = keraslite.Sequential([keraslite.Input((3,)), TableShift()])
    old.layers[-1].w.assign(np.array([5.0, 6.0, 7.0], "float32"))
    path = str(tmp_path / "w.safetensors")
    old.save_weights(path)
    new = keraslite.Sequential([keraslite.Input((3,)), globals()["TableShift"]()])
    new.load_weights(path)
    np.testing.assert_array_equal(new.layers[-1].w.numpy(), [5.0, 6.0, 7.0])


def test_keras_file_from_a_hook_names_the_hook_when_the_class_has_none(tmp_path):
    from keraslite.saving.errors import CorruptFileError

    class TableShift(layers.Layer):  # the same class name, without the hooks
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    path = str(tmp_path / "w.weights.h5")
    keraslite.Sequential([keraslite.Input((3,)), globals()["TableShift"]()]).save_weights(path)
    plain = keraslite.Sequential([keraslite.Input((3,)), TableShift()])
    with pytest.raises(CorruptFileError, match="save_own_variables/load_own_variables overrides"):
        plain.load_weights(path)
