"""MobileNetV3Small and MobileNetV3Large (Howard et al., 2019): inverted residual blocks with
squeeze-and-excitation and hard-swish. The input scaling is inside the model (a ``Rescaling``
layer, ``include_preprocessing=True``): images go in as RGB values in 0-255."""
from __future__ import annotations

import warnings
from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_depth = imagenet_utils.make_divisible
WEIGHTS_HASHES = {  # model name -> (top file hash, no-top file hash) of the published files
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}
# (expansion, filters before alpha, kernel ("k": the model's), stride, squeeze-excite,
#  activation ("act": the model's)) of each block.
_SMALL = ((1, 16, 3, 2, True, "relu"), (72 / 16, 24, 3, 2, False, "relu"),
          (88 / 24, 24, 3, 1, False, "relu"), (4, 40, "k", 2, True, "act"),
          (6, 40, "k", 1, True, "act"), (6, 40, "k", 1, True, "act"),
          (3, 48, "k", 1, True, "act"), (3, 48, "k", 1, True, "act"),
          (6, 96, "k", 2, True, "act"), (6, 96, "k", 1, True, "act"),
          (6, 96, "k", 1, True, "act"))
_LARGE = ((1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
          (3, 24, 3, 1, False, "relu"), (3, 40, "k", 2, True, "relu"),
          (3, 40, "k", 1, True, "relu"), (3, 40, "k", 1, True, "relu"),
          (6, 80, 3, 2, False, "act"), (2.5, 80, 3, 1, False, "act"),
          (2.3, 80, 3, 1, False, "act"), (2.3, 80, 3, 1, False, "act"),
          (6, 112, 3, 1, True, "act"), (6, 112, 3, 1, True, "act"),
          (6, 160, "k", 2, True, "act"), (6, 160, "k", 1, True, "act"),
          (6, 160, "k", 1, True, "act"))


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else -1


def _bn(name: str) -> layers.BatchNormalization:
    return layers.BatchNormalization(axis=_axis(), epsilon=1e-3, momentum=0.999, name=name)


def _activate(x, kind: str):
    return layers.ReLU()(x) if kind == "relu" else layers.Activation("hard_swish")(x)


def _hard_sigmoid(x):
    # As Keras builds it (ReLU(6) of x + 3, times 1/6), so the layer list matches.
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def _squeeze_excite(inputs, filters: int, prefix: str):
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(
        inputs)
    x = layers.Conv2D(_depth(filters * 0.25), 1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", name=f"{prefix}squeeze_excite_conv_1")(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, _hard_sigmoid(x)])


def _block(x, expansion, filters: int, kernel: int, stride: int, se: bool, activation: str,
           block_id: int):
    shortcut, in_channels = x, x.shape[_axis()]
    prefix = f"expanded_conv_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(_depth(in_channels * expansion), 1, padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = _activate(_bn(f"{prefix}expand_bn")(x), activation)
    if stride == 2:
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, kernel),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _activate(_bn(f"{prefix}depthwise_bn")(x), activation)
    if se:
        x = _squeeze_excite(x, _depth(in_channels * expansion), prefix)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_bn")(x)
    if stride == 1 and in_channels == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


@weights_lib.draws_held_when_loading
def _build(model_type: str, blocks: tuple, last_point: int, input_shape, alpha, minimalistic,
           include_top, weights, input_tensor, classes, pooling, dropout_rate,
           classifier_activation, include_preprocessing, name) -> Functional:
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    first = config.image_data_format() == "channels_first"
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must be a tuple of three integers (height, width, "
                         f"channels). Received: input_shape={input_shape}")
    rows, cols = (input_shape[1], input_shape[2]) if first else input_shape[:2]
    if (rows and rows < 32) or (cols and cols < 32):
        raise ValueError("Input size must be at least 32x32 for this model. "
                         f"Received: input_shape={input_shape}")
    if weights == "imagenet":
        if alpha not in ((1.0,) if minimalistic else (0.75, 1.0)):
            raise ValueError("If imagenet weights are being loaded, alpha must be 0.75 or 1.0 "
                             f"(1.0 only for minimalistic models). Received: alpha={alpha}")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined, non-square, or not 224: the weights for "
                          "224x224 images are loaded.", stacklevel=3)
    kernel, activation, squeeze = (3, "relu", False) if minimalistic else (5, "act", True)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="conv")(x)
    x = _activate(_bn("conv_bn")(x), "relu" if minimalistic else "hswish")
    for block_id, (expansion, filters, k, stride, se, act) in enumerate(blocks):
        act = ("relu" if minimalistic else "hswish") if act == "act" else act
        x = _block(x, expansion, _depth(filters * alpha), kernel if k == "k" else k, stride,
                   se and squeeze, act, block_id)
    final = "relu" if minimalistic else "hswish"
    x = layers.Conv2D(_depth(x.shape[_axis()] * 6), 1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = _activate(_bn("conv_1_bn")(x), final)
    if alpha > 1.0:
        last_point = _depth(last_point * alpha)
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point, 1, padding="same", name="conv_2")(x)
        x = _activate(x, final)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, 1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    model_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    file_name = f"weights_mobilenet_v3_{model_name}{'' if include_top else '_no_top_v2'}.h5"
    hashes = WEIGHTS_HASHES.get(model_name, (None, None))
    weights_lib.load(model, weights, file_name,
                     f"{weights_lib.BASE_URL}mobilenet_v3/{file_name}",
                     hashes[0] if include_top else hashes[1])
    return model


def MobileNetV3Small(input_shape: tuple | None = None, alpha: float = 1.0,
                     minimalistic: bool = False, include_top: bool = True,
                     weights: Any = "imagenet", input_tensor: Any = None, classes: int = 1000,
                     pooling: str | None = None, dropout_rate: float = 0.2,
                     classifier_activation: Any = "softmax", include_preprocessing: bool = True,
                     name: str = "MobileNetV3Small") -> Functional:
    """MobileNetV3Small (Keras's layout, so Keras's published ImageNet weight files load).

    Args:
        alpha: the width multiplier (0.75 or 1.0 for the weights).
        minimalistic: without squeeze-excite, hard-swish and 5x5 kernels.
        dropout_rate: before the classifier.
        include_preprocessing: scale 0-255 inputs to [-1, 1] inside the model.
        Others as in ``VGG16``; ``input_shape`` at least 32x32 (any size without the top).
    """
    return _build("small", _SMALL, 1024, input_shape, alpha, minimalistic, include_top, weights,
                  input_tensor, classes, pooling, dropout_rate, classifier_activation,
                  include_preprocessing, name)


def MobileNetV3Large(input_shape: tuple | None = None, alpha: float = 1.0,
                     minimalistic: bool = False, include_top: bool = True,
                     weights: Any = "imagenet", input_tensor: Any = None, classes: int = 1000,
                     pooling: str | None = None, dropout_rate: float = 0.2,
                     classifier_activation: Any = "softmax", include_preprocessing: bool = True,
                     name: str = "MobileNetV3Large") -> Functional:
    """MobileNetV3Large; arguments as in ``MobileNetV3Small``."""
    return _build("large", _LARGE, 1280, input_shape, alpha, minimalistic, include_top, weights,
                  input_tensor, classes, pooling, dropout_rate, classifier_activation,
                  include_preprocessing, name)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: MobileNetV3 scales its input inside the model (``Rescaling``)."""
    return x


decode_predictions = imagenet_utils.decode_predictions
