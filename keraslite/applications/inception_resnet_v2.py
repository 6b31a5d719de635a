"""InceptionResNetV2 (Szegedy et al., 2016): Inception blocks whose output is added, scaled
down, to a residual shortcut. 55,873,736 parameters at 299x299 with the classifier.

Most convolutions are unnamed, as in Keras: the published legacy files are matched by layer
order when the automatic names differ.
"""
from __future__ import annotations

from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_HASHES = ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4")
# block type -> (branches as [(filters, kernel)] chains, residual scale, repeats)
_BLOCKS = {
    "block35": ([[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]], 0.17, 10),
    "block17": ([[(192, 1)], [(128, 1), (160, (1, 7)), (192, (7, 1))]], 0.1, 20),
    "block8": ([[(192, 1)], [(192, 1), (224, (1, 3)), (256, (3, 1))]], 0.2, 10),
}


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else 3


def _conv_bn(x, filters: int, kernel: Any, strides: int = 1, padding: str = "same",
             activation: str | None = "relu", use_bias: bool = False, name: str | None = None):
    """Convolution, then (without a bias) batch normalization without scale, then activation."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias,
                      name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=_axis(), scale=False,
                                      name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _chain(x, specs):
    for spec in specs:
        x = _conv_bn(x, *spec)
    return x


def _residual_block(x, block_type: str, index: int, scale: float,
                    activation: str | None = "relu"):
    """The Inception branches, concatenated, projected back to the input's width (1x1 with a
    bias) and added to the input, times ``scale``."""
    branches, _, _ = _BLOCKS[block_type]
    name = f"{block_type}_{index}"
    mixed = layers.Concatenate(axis=_axis(), name=f"{name}_mixed")(
        [_chain(x, chain) for chain in branches])
    up = _conv_bn(mixed, x.shape[_axis()], 1, activation=None, use_bias=True,
                  name=f"{name}_conv")
    x = layers.CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_ac")(x)
    return x


def _repeat(x, block_type: str):
    _, scale, count = _BLOCKS[block_type]
    for index in range(1, count + 1):
        # The very last block (block8_10) is unscaled and has no activation before conv_7b.
        last = block_type == "block8" and index == count
        x = _residual_block(x, block_type, index, 1.0 if last else scale,
                            None if last else "relu")
    return x


@weights_lib.draws_held_when_loading
def InceptionResNetV2(include_top: bool = True, weights: Any = "imagenet",
                      input_tensor: Any = None, input_shape: tuple | None = None,
                      pooling: str | None = None, classes: int = 1000,
                      classifier_activation: Any = "softmax",
                      name: str = "inception_resnet_v2") -> Functional:
    """InceptionResNetV2 (Keras's layout, so Keras's published ImageNet weight files load).

    Arguments as in ``VGG16``; ``input_shape`` at least 75x75, 299x299x3 by default. Images go
    through ``keraslite.applications.inception_resnet_v2.preprocess_input`` ("tf").
    """
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                              require_flatten=include_top, weights=weights)
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        if weights is not None and classifier_activation not in (None, "softmax"):
            raise ValueError("Only `None` and `softmax` activations are allowed for the "
                             "`classifier_activation` argument when using pretrained weights. "
                             f"Received: classifier_activation={classifier_activation!r}")
    img_input = imagenet_utils.image_input(input_tensor, shape)
    # Stem: 35x35x192 at the default size.
    x = _chain(img_input, [(32, 3, 2, "valid"), (32, 3, 1, "valid"), (64, 3)])
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _chain(x, [(80, 1, 1, "valid"), (192, 3, 1, "valid")])
    x = layers.MaxPooling2D(3, strides=2)(x)
    # Mixed 5b (Inception-A): 320 channels.
    # The branches are built in Keras's order: unnamed layers are matched by position.
    branches = [_conv_bn(x, 96, 1), _chain(x, [(48, 1), (64, 5)]),
                _chain(x, [(64, 1), (96, 3), (96, 3)])]
    pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    x = layers.Concatenate(axis=_axis(), name="mixed_5b")(branches + [_conv_bn(pool, 64, 1)])
    x = _repeat(x, "block35")
    # Mixed 6a (reduction to 17x17): 1088 channels.
    x = layers.Concatenate(axis=_axis(), name="mixed_6a")([
        _conv_bn(x, 384, 3, 2, "valid"), _chain(x, [(256, 1), (256, 3), (384, 3, 2, "valid")]),
        layers.MaxPooling2D(3, strides=2, padding="valid")(x)])
    x = _repeat(x, "block17")
    # Mixed 7a (reduction to 8x8): 2080 channels.
    x = layers.Concatenate(axis=_axis(), name="mixed_7a")([
        _chain(x, [(256, 1), (384, 3, 2, "valid")]), _chain(x, [(256, 1), (288, 3, 2, "valid")]),
        _chain(x, [(256, 1), (288, 3), (320, 3, 2, "valid")]),
        layers.MaxPooling2D(3, strides=2, padding="valid")(x)])
    x = _repeat(x, "block8")
    x = _conv_bn(x, 1536, 1, name="conv_7b")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    file_name = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels"
                 f"{'' if include_top else '_notop'}.h5")
    weights_lib.load(model, weights, file_name,
                     f"{weights_lib.BASE_URL}inception_resnet_v2/{file_name}",
                     _HASHES[0] if include_top else _HASHES[1])
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "tf" convention of the weights ([-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
