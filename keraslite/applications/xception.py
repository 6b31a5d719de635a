"""Xception (Chollet, 2017): depthwise separable convolutions with residual connections.

22,910,480 parameters at 299x299 with the classifier.
"""
from __future__ import annotations

from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")


def _bn(name: str | None = None) -> layers.BatchNormalization:
    axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, name=name)


def _sepconv(x, filters: int, name: str, activate_first: bool = True):
    if activate_first:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return _bn(f"{name}_bn")(x)


def _downsampling_block(x, filters: tuple, block: int, first_activation: bool = True):
    """Two separable convolutions and a 3x3/2 max pooling, plus a strided 1x1 shortcut."""
    residual = layers.Conv2D(filters[1], 1, strides=2, padding="same", use_bias=False)(x)
    residual = _bn()(residual)
    x = _sepconv(x, filters[0], f"block{block}_sepconv1", activate_first=first_activation)
    x = _sepconv(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{block}_pool")(x)
    return layers.Add()([x, residual])


@weights_lib.draws_held_when_loading
def Xception(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
             input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "xception") -> Functional:
    """Xception (Keras's layout, so Keras's published ImageNet weight files load).

    Arguments as in ``VGG16``; ``input_shape`` at least 71x71, 299x299x3 by default. Images go
    through ``keraslite.applications.xception.preprocess_input`` ("tf").
    """
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=71,
                                              require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = layers.Conv2D(32, 3, strides=2, use_bias=False, name="block1_conv1")(img_input)
    x = _bn("block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, 3, use_bias=False, name="block1_conv2")(x)
    x = _bn("block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    # Block 2's first convolution follows an activation already: it has none of its own.
    x = _downsampling_block(x, (128, 128), 2, first_activation=False)
    x = _downsampling_block(x, (256, 256), 3)
    x = _downsampling_block(x, (728, 728), 4)
    for block in range(5, 13):  # the middle flow: eight identity residual blocks
        residual = x
        for i in (1, 2, 3):
            x = _sepconv(x, 728, f"block{block}_sepconv{i}")
        x = layers.Add()([x, residual])
    x = _downsampling_block(x, (728, 1024), 13)
    for i, filters in ((1, 1536), (2, 2048)):  # the exit flow activates after normalizing
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False,
                                   name=f"block14_sepconv{i}")(x)
        x = _bn(f"block14_sepconv{i}_bn")(x)
        x = layers.Activation("relu", name=f"block14_sepconv{i}_act")(x)
    if include_top:
        x = imagenet_utils.classifier(x, True, None, classes, classifier_activation)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    file_name = f"xception_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    weights_lib.load(model, weights, file_name, f"{weights_lib.BASE_URL}xception/{file_name}",
                     _HASHES[0] if include_top else _HASHES[1])
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "tf" convention of the weights ([-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
