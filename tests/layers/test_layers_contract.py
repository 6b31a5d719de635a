"""The one-call contract test for every built-in layer, plus argument and input validation."""
import numpy as np
import pytest

from keraslite import layers
from layer_test_helper import run_layer_test


# (layer class, kwargs, input shape(s), expected output shape, #trainable, #non-trainable, #seeds)
CASES = [
    (layers.Dense, {"units": 4}, (2, 3), (2, 4), 2, 0, 0),
    (layers.Dense, {"units": 4, "use_bias": False, "activation": "relu"}, (2, 5, 3), (2, 5, 4),
     1, 0, 0),
    (layers.Activation, {"activation": "softmax"}, (2, 5), (2, 5), 0, 0, 0),
    (layers.Dropout, {"rate": 0.5, "seed": 3}, (4, 6), (4, 6), 0, 0, 1),
    (layers.Dropout, {"rate": 0.3, "noise_shape": (None, 1, 5)}, (2, 3, 5), (2, 3, 5), 0, 0, 1),
    (layers.Flatten, {}, (2, 3, 4, 5), (2, 60), 0, 0, 0),
    (layers.Flatten, {"data_format": "channels_first"}, (2, 3, 4, 5), (2, 60), 0, 0, 0),
    (layers.Reshape, {"target_shape": (4, -1)}, (2, 12), (2, 4, 3), 0, 0, 0),
    (layers.Reshape, {"target_shape": (6, 2)}, (2, 3, 4), (2, 6, 2), 0, 0, 0),
    (layers.ZeroPadding2D, {"padding": 1}, (2, 3, 4, 2), (2, 5, 6, 2), 0, 0, 0),
    (layers.ZeroPadding2D, {"padding": ((1, 0), (2, 3)), "data_format": "channels_first"},
     (2, 2, 3, 4), (2, 2, 4, 9), 0, 0, 0),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3}, (2, 7, 7, 3), (2, 5, 5, 4), 2, 0, 0),
    (layers.Conv2D, {"filters": 6, "kernel_size": (3, 2), "strides": 2, "padding": "same",
                     "groups": 3, "activation": "relu"}, (2, 7, 8, 3), (2, 4, 4, 6), 2, 0, 0),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "use_bias": False,
                     "data_format": "channels_first"}, (1, 3, 9, 8), (1, 2, 5, 4), 1, 0, 0),
    (layers.MaxPooling2D, {}, (2, 6, 7, 3), (2, 3, 3, 3), 0, 0, 0),
    (layers.MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 6, 3),
     (2, 4, 3, 3), 0, 0, 0),
    (layers.AveragePooling2D, {"pool_size": (2, 3), "padding": "same"}, (2, 5, 7, 3),
     (2, 3, 3, 3), 0, 0, 0),
    (layers.AveragePooling2D, {"data_format": "channels_first"}, (2, 3, 6, 6), (2, 3, 3, 3),
     0, 0, 0),
    (layers.GlobalAveragePooling2D, {}, (2, 4, 5, 3), (2, 3), 0, 0, 0),
    (layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 4, 5, 3), (2, 1, 1, 3), 0, 0, 0),
    (layers.GlobalAveragePooling2D, {"data_format": "channels_first"}, (2, 3, 4, 5), (2, 3),
     0, 0, 0),
    (layers.BatchNormalization, {}, (8, 3), (8, 3), 2, 2, 0),
    (layers.BatchNormalization, {"axis": 1, "center": False}, (4, 3, 5, 5), (4, 3, 5, 5),
     1, 2, 0),
    (layers.Add, {}, [(2, 3), (2, 3), (2, 3)], (2, 3), 0, 0, 0),
    (layers.Concatenate, {}, [(2, 3), (2, 4)], (2, 7), 0, 0, 0),
    (layers.Concatenate, {"axis": 1}, [(2, 3, 4), (2, 1, 4)], (2, 4, 4), 0, 0, 0),
]


@pytest.mark.parametrize(
    "cls,kwargs,in_shape,out_shape,n_train,n_non_train,n_seeds", CASES,
    ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_layer_contract(cls, kwargs, in_shape, out_shape, n_train, n_non_train, n_seeds):
    run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                   expected_num_trainable_weights=n_train,
                   expected_num_non_trainable_weights=n_non_train,
                   expected_num_seed_generators=n_seeds)


def test_weight_names_and_shapes_follow_keras():
    dense = layers.Dense(4)
    dense(np.zeros((1, 3), "float32"))
    assert [(w.name, w.shape) for w in dense.weights] == [("kernel", (3, 4)), ("bias", (4,))]
    conv = layers.Conv2D(6, (3, 2), groups=2)
    conv(np.zeros((1, 5, 5, 4), "float32"))
    assert [(w.name, w.shape) for w in conv.weights] == [("kernel", (3, 2, 2, 6)),
                                                         ("bias", (6,))]
    bn = layers.BatchNormalization()
    bn(np.zeros((2, 5), "float32"))
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert bn.count_params() == 20


def test_exports():
    import keraslite

    for name in ("Layer", "InputSpec", "Input", "InputLayer", "Dense", "Conv2D", "Add"):
        assert hasattr(keraslite.layers, name)
    assert keraslite.layers.Dense is layers.Dense


# -- argument validation: ValueError naming the class, the argument and the value ---------------
BAD_ARGS = [
    (layers.Dense, {"units": -3}, "units", "-3"),
    (layers.Dense, {"units": 0}, "units", "0"),
    (layers.Dropout, {"rate": 1.0}, "rate", "1.0"),
    (layers.Dropout, {"rate": -0.1}, "rate", "-0.1"),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "padding": "sideways"}, "padding",
     "sideways"),
    (layers.Conv2D, {"filters": 0, "kernel_size": 3}, "filters", "0"),
    (layers.Conv2D, {"filters": 4, "kernel_size": (3, 3, 3)}, "kernel_size", "(3, 3, 3)"),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "data_format": "nhwc"}, "data_format",
     "nhwc"),
    (layers.Conv2D, {"filters": 5, "kernel_size": 3, "groups": 2}, "groups", "2"),
    (layers.MaxPooling2D, {"padding": "sideways"}, "padding", "sideways"),
    (layers.AveragePooling2D, {"pool_size": 0}, "pool_size", "0"),
    (layers.ZeroPadding2D, {"padding": -1}, "padding", "-1"),
    (layers.ZeroPadding2D, {"padding": (1, 2, 3)}, "padding", "(1, 2, 3)"),
    (layers.Reshape, {"target_shape": (-1, -1)}, "target_shape", "(-1, -1)"),
    (layers.BatchNormalization, {"momentum": 1.5}, "momentum", "1.5"),
    (layers.BatchNormalization, {"epsilon": 0}, "epsilon", "0"),
    (layers.Flatten, {"data_format": "sideways"}, "data_format", "sideways"),
    (layers.Concatenate, {"axis": "last"}, "axis", "last"),
]


@pytest.mark.parametrize("cls,kwargs,arg,value", BAD_ARGS,
                         ids=[f"{c[0].__name__}-{c[2]}" for c in BAD_ARGS])
def test_invalid_arguments_name_class_argument_and_value(cls, kwargs, arg, value):
    with pytest.raises(ValueError) as info:
        cls(**kwargs)
    message = str(info.value)
    assert cls.__name__ in message and arg in message and value in message, message


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="units_count"):
        layers.Dense(3, units_count=4)


# -- input validation through InputSpec: names the layer and the shape, never values ------------
def _assert_shape_error(layer, x, *fragments):
    with pytest.raises(ValueError) as info:
        layer(x)
    message = str(info.value)
    assert layer.name in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert "array(" not in message and "tf.Tensor" not in message, message


def test_dense_rejects_rank_1_and_wrong_last_axis():
    dense = layers.Dense(3, name="clf")
    _assert_shape_error(dense, np.ones((4,), "float32"), "min_ndim=2", "(4,)")
    dense(np.ones((2, 5), "float32"))
    _assert_shape_error(dense, np.ones((2, 7), "float32"), "5", "(2, 7)")


def test_conv_and_pooling_reject_wrong_rank_and_channels():
    conv = layers.Conv2D(2, 3)
    _assert_shape_error(conv, np.ones((2, 8, 3), "float32"), "ndim=4", "(2, 8, 3)")
    conv(np.ones((1, 5, 5, 3), "float32"))
    _assert_shape_error(conv, np.ones((1, 5, 5, 4), "float32"), "3", "(1, 5, 5, 4)")
    _assert_shape_error(layers.MaxPooling2D(), np.ones((2, 4, 4), "float32"), "ndim=4")
    _assert_shape_error(layers.GlobalAveragePooling2D(), np.ones((2, 4), "float32"), "ndim=4")
    _assert_shape_error(layers.ZeroPadding2D(), np.ones((2, 4), "float32"), "ndim=4")


def test_batchnorm_rejects_other_feature_size():
    bn = layers.BatchNormalization()
    bn(np.ones((2, 4), "float32"))
    _assert_shape_error(bn, np.ones((2, 6), "float32"), "4", "(2, 6)")


def test_merge_layers_validate_shapes():
    _assert_shape_error(layers.Add(), [np.ones((2, 3), "float32"), np.ones((2, 4), "float32")],
                        "(2, 3)", "(2, 4)")
    _assert_shape_error(layers.Concatenate(),
                        [np.ones((2, 3, 1), "float32"), np.ones((2, 4, 2), "float32")],
                        "(2, 3, 1)", "(2, 4, 2)")
    _assert_shape_error(layers.Add(), np.ones((2, 3), "float32"), "list")


def test_reshape_rejects_incompatible_size():
    _assert_shape_error(layers.Reshape((5, -1)), np.ones((2, 12), "float32"), "(5, -1)", "12")


def test_symbolic_call_checks_input_spec():
    from keraslite.ops.keras_tensor import KerasTensor

    dense = layers.Dense(2)
    dense(KerasTensor((None, 3)))
    with pytest.raises(ValueError, match=r"\(None, 4\)"):
        dense(KerasTensor((None, 4)))
