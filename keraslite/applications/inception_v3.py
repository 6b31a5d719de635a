"""InceptionV3 (Szegedy et al., 2015): 23,851,784 parameters at 299x299 with the classifier.

The convolutions are unnamed, as in Keras: the published files are matched by layer order.
"""
from __future__ import annotations

from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else 3


def _conv(x, filters: int, rows: int, cols: int, padding: str = "same", strides: int = 1):
    """Convolution (no bias), batch normalization without scale (ReLU follows), ReLU."""
    x = layers.Conv2D(filters, (rows, cols), strides=strides, padding=padding,
                      use_bias=False)(x)
    x = layers.BatchNormalization(axis=_axis(), scale=False)(x)
    return layers.Activation("relu")(x)


def _chain(x, specs):
    for spec in specs:
        x = _conv(x, *spec)
    return x


def _pool_branch(x, filters: int):
    x = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    return _conv(x, filters, 1, 1)


def _concat(branches, name: str | None = None):
    return layers.Concatenate(axis=_axis(), name=name)(branches)


def _block_35(x, pool_filters: int, name: str):
    """Inception-A (35x35): 1x1, 5x5, double 3x3 and pooling branches."""
    return _concat([_conv(x, 64, 1, 1),
                    _chain(x, [(48, 1, 1), (64, 5, 5)]),
                    _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]),
                    _pool_branch(x, pool_filters)], name)


def _block_17(x, width: int, name: str):
    """Inception-B (17x17): factorized 7x7 convolutions of ``width`` inner filters."""
    return _concat([_conv(x, 192, 1, 1),
                    _chain(x, [(width, 1, 1), (width, 1, 7), (192, 7, 1)]),
                    _chain(x, [(width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1),
                               (192, 1, 7)]),
                    _pool_branch(x, 192)], name)


def _block_8(x, index: int):
    """Inception-C (8x8): expanded filter banks of 1x3 and 3x1 convolutions."""
    branch1x1 = _conv(x, 320, 1, 1)
    branch3x3 = _conv(x, 384, 1, 1)
    branch3x3 = _concat([_conv(branch3x3, 384, 1, 3), _conv(branch3x3, 384, 3, 1)],
                        f"mixed9_{index}")
    double = _chain(x, [(448, 1, 1), (384, 3, 3)])
    double = _concat([_conv(double, 384, 1, 3), _conv(double, 384, 3, 1)])
    return _concat([branch1x1, branch3x3, double, _pool_branch(x, 192)], f"mixed{9 + index}")


@weights_lib.draws_held_when_loading
def InceptionV3(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: tuple | None = None, pooling: str | None = None,
                classes: int = 1000, classifier_activation: Any = "softmax",
                name: str = "inception_v3") -> Functional:
    """InceptionV3 (Keras's layout, so Keras's published ImageNet weight files load).

    Arguments as in ``VGG16``; ``input_shape`` at least 75x75, 299x299x3 by default. Images go
    through ``keraslite.applications.inception_v3.preprocess_input`` ("tf").
    """
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                              require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = _chain(img_input, [(32, 3, 3, "valid", 2), (32, 3, 3, "valid"), (64, 3, 3)])
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _chain(x, [(80, 1, 1, "valid"), (192, 3, 3, "valid")])
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _block_35(x, 32, "mixed0")
    x = _block_35(x, 64, "mixed1")
    x = _block_35(x, 64, "mixed2")
    x = _concat([_conv(x, 384, 3, 3, "valid", 2),  # reduction to 17x17
                 _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3, "valid", 2)]),
                 layers.MaxPooling2D(3, strides=2)(x)], "mixed3")
    for width, block_name in ((128, "mixed4"), (160, "mixed5"), (160, "mixed6"),
                              (192, "mixed7")):
        x = _block_17(x, width, block_name)
    x = _concat([_chain(x, [(192, 1, 1), (320, 3, 3, "valid", 2)]),  # reduction to 8x8
                 _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3, "valid", 2)]),
                 layers.MaxPooling2D(3, strides=2)(x)], "mixed8")
    x = _block_8(x, 0)
    x = _block_8(x, 1)
    if include_top:
        x = imagenet_utils.classifier(x, True, None, classes, classifier_activation)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    suffix = "" if include_top else "_notop"
    file_name = f"inception_v3_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    weights_lib.load(model, weights, file_name, f"{weights_lib.BASE_URL}inception_v3/{file_name}",
                     _HASHES[0] if include_top else _HASHES[1])
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "tf" convention of the weights ([-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
