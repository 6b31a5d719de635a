"""Small names Keras scripts use: keraslite.version(), pack/unpack_x_y_sample_weight (against
Keras 3), and the dataset functions under keraslite.preprocessing."""
from __future__ import annotations

import numpy as np
import pytest

import keraslite


def test_version_is_a_function_returning_the_package_version():
    assert keraslite.version() == keraslite.__version__
    assert isinstance(keraslite.version(), str)


CASES = [((np.ones(2),), {}), ((np.ones(2), np.zeros(2)), {}), (([1, 2],), {}),
         ((np.ones(2), np.zeros(2), np.ones(2)), {}), (((1, 2),), {"sample_weight": 3})]


@pytest.mark.parametrize("args,kwargs", CASES)
def test_pack_and_unpack_match_keras(args, kwargs):
    keras = pytest.importorskip("keras")
    ours = keraslite.utils.pack_x_y_sample_weight(*args, **kwargs)
    theirs = keras.utils.pack_x_y_sample_weight(*args, **kwargs)
    assert type(ours) is type(theirs) and repr(ours) == repr(theirs)
    assert repr(keraslite.utils.unpack_x_y_sample_weight(ours)) == \
        repr(keras.utils.unpack_x_y_sample_weight(theirs))


def test_unpack_refuses_long_tuples():
    with pytest.raises(ValueError, match="4 elements"):
        keraslite.utils.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_preprocessing_namespace_has_the_dataset_functions():
    utils, pre = keraslite.utils, keraslite.preprocessing
    assert pre.image_dataset_from_directory is utils.image_dataset_from_directory
    assert pre.text_dataset_from_directory is utils.text_dataset_from_directory
    assert pre.timeseries_dataset_from_array is utils.timeseries_dataset_from_array
    assert keraslite.Loss is keraslite.losses.Loss and keraslite.Metric is keraslite.metrics.Metric
    assert utils.is_keras_tensor(keraslite.Input((2,)))
    assert not utils.is_keras_tensor(np.ones(2))


def test_get_source_inputs_matches_keras():
    keras = pytest.importorskip("keras")

    def build(lib):
        a, b = lib.Input((3,), name="a"), lib.Input((3,), name="b")
        c = lib.Input((2,), name="c")
        merged = lib.layers.Add()([lib.layers.Dense(3)(b), a])
        return lib.layers.Dense(1)(merged), c

    ours, ours_c = build(keraslite)
    theirs, theirs_c = build(keras)
    names = [t.name for t in keraslite.utils.get_source_inputs(ours)]
    assert names == [t.name for t in keras.utils.get_source_inputs(theirs)]
    assert keraslite.utils.get_source_inputs(ours_c)[0] is ours_c


def test_register_keras_serializable_and_registered_name():
    @keraslite.utils.register_keras_serializable(package="F8Test")
    class Scaled(keraslite.layers.Layer):
        def call(self, x):
            return 2 * x

    assert keraslite.utils.get_registered_name(Scaled) == "F8Test>Scaled"
    assert keraslite.saving.get_registered_object("F8Test>Scaled") is Scaled
    assert keraslite.utils.get_registered_name(np.ones) == "ones"


def test_custom_object_scope_lets_load_model_find_a_class(tmp_path):
    class Doubler(keraslite.layers.Layer):  # not registered anywhere
        def call(self, x):
            return 2 * x

    model = keraslite.Sequential([keraslite.Input((3,)), Doubler(name="doubler")])
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises((ValueError, TypeError), match="Doubler"):
        keraslite.models.load_model(path)
    before = dict(keraslite.utils.get_custom_objects())
    with keraslite.utils.custom_object_scope({"Doubler": Doubler}):
        assert keraslite.utils.get_custom_objects()["Doubler"] is Doubler
        loaded = keraslite.models.load_model(path)
    np.testing.assert_allclose(keraslite.ops.convert_to_numpy(loaded(np.ones((1, 3)))),
                               2 * np.ones((1, 3)))
    assert keraslite.utils.get_custom_objects() == before
    with pytest.raises(TypeError, match="dicts"):
        keraslite.utils.CustomObjectScope(["Doubler"])
