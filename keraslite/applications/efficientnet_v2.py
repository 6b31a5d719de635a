"""EfficientNetV2B0-B3, S, M and L (Tan and Le, 2021, "EfficientNetV2: Smaller Models and
Faster Training").

The early stages use fused MBConv blocks (one full convolution instead of a 1x1 expansion and a
depthwise convolution), the later ones MBConv blocks with squeeze-and-excitation. The input
scaling is inside the model (``include_preprocessing=True``): images go in as RGB values in 0-255.
"""
from __future__ import annotations

import math
from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

# model suffix -> (top file md5, no-top file md5) of the published Keras files
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
# Stages: (fused, repeats, input filters, output filters, expansion, squeeze-excite ratio,
# stride); every kernel is 3x3. B0-B3 share one table, scaled by width and depth.
_B = ((True, 1, 32, 16, 1, 0, 1), (True, 2, 16, 32, 4, 0, 2), (True, 2, 32, 48, 4, 0, 2),
      (False, 3, 48, 96, 4, 0.25, 2), (False, 5, 96, 112, 6, 0.25, 1),
      (False, 8, 112, 192, 6, 0.25, 2))
_S = ((True, 2, 24, 24, 1, 0, 1), (True, 4, 24, 48, 4, 0, 2), (True, 4, 48, 64, 4, 0, 2),
      (False, 6, 64, 128, 4, 0.25, 2), (False, 9, 128, 160, 6, 0.25, 1),
      (False, 15, 160, 256, 6, 0.25, 2))
_M = ((True, 3, 24, 24, 1, 0, 1), (True, 5, 24, 48, 4, 0, 2), (True, 5, 48, 80, 4, 0, 2),
      (False, 7, 80, 160, 4, 0.25, 2), (False, 14, 160, 176, 6, 0.25, 1),
      (False, 18, 176, 304, 6, 0.25, 2), (False, 5, 304, 512, 6, 0.25, 1))
_L = ((True, 4, 32, 32, 1, 0, 1), (True, 7, 32, 64, 4, 0, 2), (True, 7, 64, 96, 4, 0, 2),
      (False, 10, 96, 192, 4, 0.25, 2), (False, 19, 192, 224, 6, 0.25, 1),
      (False, 25, 224, 384, 6, 0.25, 2), (False, 7, 384, 640, 6, 0.25, 1))
# suffix -> (stages, width coefficient, depth coefficient, default image size)
VARIANTS = {
    "b0": (_B, 1.0, 1.0, 224), "b1": (_B, 1.0, 1.1, 240), "b2": (_B, 1.1, 1.2, 260),
    "b3": (_B, 1.2, 1.4, 300), "s": (_S, 1.0, 1.0, 384), "m": (_M, 1.0, 1.0, 480),
    "l": (_L, 1.0, 1.0, 480),
}
_MOMENTUM = 0.9
_DIVISOR = 8
_DROP_CONNECT = 0.2
_ACTIVATION = "swish"
# He-normal-like initializers of the reference implementation (fan-out based).
_CONV_INIT = {"class_name": "VarianceScaling",
              "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
_DENSE_INIT = {"class_name": "VarianceScaling",
               "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else -1


def _round_filters(filters: int, width: float) -> int:
    """``filters * width`` to the nearest multiple of 8 (at least 8); unlike MobileNet's rounding
    there is no 10% floor, as in the published models."""
    scaled = filters * width
    return int(max(_DIVISOR, int(scaled + _DIVISOR / 2) // _DIVISOR * _DIVISOR))


def _conv(filters: int, kernel: int, name: str, strides: int = 1, **kwargs) -> layers.Conv2D:
    return layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False,
                         kernel_initializer=_CONV_INIT, name=name, **kwargs)


def _bn(name: str) -> layers.BatchNormalization:
    return layers.BatchNormalization(axis=_axis(), momentum=_MOMENTUM, name=name)


def _act(name: str) -> layers.Activation:
    return layers.Activation(_ACTIVATION, name=name)


def _squeeze_excite(x, filters: int, in_filters: int, ratio: float, name: str):
    squeezed = max(1, int(in_filters * ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    shape = (filters, 1, 1) if _axis() == 1 else (1, 1, filters)
    se = layers.Reshape(shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(squeezed, 1, padding="same", activation=_ACTIVATION,
                       kernel_initializer=_CONV_INIT, name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=_CONV_INIT, name=f"{name}se_expand")(se)
    return layers.Multiply(name=f"{name}se_excite")([x, se])


def _residual(x, inputs, in_filters: int, out_filters: int, strides: int, drop: float,
              name: str):
    if strides != 1 or in_filters != out_filters:
        return x
    if drop:
        # The published models drop whole samples' branches with this rate (Keras's layout:
        # a Dropout with one mask value per sample).
        x = layers.Dropout(drop, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
    return layers.Add(name=f"{name}add")([x, inputs])


def _mbconv(inputs, in_filters: int, out_filters: int, expansion: int, strides: int,
            se_ratio: float, drop: float, name: str):
    """1x1 expansion, 3x3 depthwise convolution, squeeze-excite, 1x1 projection."""
    filters = in_filters * expansion
    x = inputs
    if expansion != 1:
        x = _conv(filters, 1, f"{name}expand_conv")(x)
        x = _act(f"{name}expand_activation")(_bn(f"{name}expand_bn")(x))
    x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False,
                               depthwise_initializer=_CONV_INIT, name=f"{name}dwconv2")(x)
    x = _act(f"{name}activation")(_bn(f"{name}bn")(x))
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, in_filters, se_ratio, name)
    x = _bn(f"{name}project_bn")(_conv(out_filters, 1, f"{name}project_conv")(x))
    return _residual(x, inputs, in_filters, out_filters, strides, drop, name)


def _fused_mbconv(inputs, in_filters: int, out_filters: int, expansion: int, strides: int,
                  se_ratio: float, drop: float, name: str):
    """One 3x3 convolution in place of expansion and depthwise, then a 1x1 projection (or the
    3x3 convolution alone without expansion)."""
    filters = in_filters * expansion
    x = inputs
    if expansion != 1:
        x = _conv(filters, 3, f"{name}expand_conv", strides=strides)(x)
        x = _act(f"{name}expand_activation")(_bn(f"{name}expand_bn")(x))
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, in_filters, se_ratio, name)
    fused = expansion == 1
    x = _conv(out_filters, 3 if fused else 1, f"{name}project_conv",
              strides=strides if fused else 1)(x)
    x = _bn(f"{name}project_bn")(x)
    if fused:
        x = _act(f"{name}project_activation")(x)
    return _residual(x, inputs, in_filters, out_filters, strides, drop, name)


def _preprocess(x, variant: str, channels: int):
    if not variant.startswith("b") or channels != 3:
        return layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    # B0-B3 were trained on ImageNet-normalized inputs (0-1, then mean and std).
    x = layers.Rescaling(scale=1.0 / 255)(x)
    return layers.Normalization(mean=[0.485, 0.456, 0.406],
                                variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2], axis=_axis())(x)


@weights_lib.draws_held_when_loading
def build_efficientnet_v2(variant: str, include_top: bool, weights: Any, input_tensor: Any,
                          input_shape: Any, pooling: str | None, classes: int,
                          classifier_activation: Any, include_preprocessing: bool,
                          name: str, dropout_rate: float = 0.2) -> Functional:
    """The EfficientNetV2 ``variant`` (a key of ``VARIANTS``) with Keras's layout."""
    stages, width, depth, default_size = VARIANTS[variant]
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size,
                                              min_size=32, require_flatten=include_top,
                                              weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = img_input
    if include_preprocessing:
        x = _preprocess(x, variant, shape[0] if _axis() == 1 else shape[-1])
    x = _conv(_round_filters(stages[0][2], width), 3, "stem_conv", strides=2)(x)
    x = _act("stem_activation")(_bn("stem_bn")(x))
    total = float(sum(stage[1] for stage in stages))
    index = 0
    for i, (fused, repeats, in_f, out_f, expansion, se_ratio, strides) in enumerate(stages):
        in_f, out_f = _round_filters(in_f, width), _round_filters(out_f, width)
        block = _fused_mbconv if fused else _mbconv
        for j in range(int(math.ceil(depth * repeats))):
            if j > 0:
                strides, in_f = 1, out_f
            # The drop rate grows linearly with the block's index (over the unscaled count,
            # as in the published models).
            x = block(x, in_f, out_f, expansion, strides, se_ratio,
                      _DROP_CONNECT * index / total, f"block{i + 1}{chr(j + 97)}_")
            index += 1
    x = _conv(_round_filters(1280, width), 1, "top_conv")(x)
    x = _act("top_activation")(_bn("top_bn")(x))
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.check_classifier_activation(classifier_activation)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=_DENSE_INIT, bias_initializer="zeros",
                         name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    model_name = f"efficientnetv2-{variant}"
    top_hash, notop_hash = WEIGHTS_HASHES[variant]
    file_name = f"{model_name}{'.h5' if include_top else '_notop.h5'}"
    weights_lib.load(model, weights, file_name,
                     f"{weights_lib.BASE_URL}efficientnet_v2/{file_name}",
                     top_hash if include_top else notop_hash)
    return model


def _family(variant: str, title: str):
    default_name = f"efficientnetv2-{variant}"

    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", include_preprocessing: bool = True,
              name: str = default_name) -> Functional:
        return build_efficientnet_v2(variant, include_top, weights, input_tensor, input_shape,
                                     pooling, classes, classifier_activation,
                                     include_preprocessing, name)

    size = VARIANTS[variant][3]
    build.__name__ = build.__qualname__ = title
    build.__doc__ = (
        f"{title} (Keras's layout, so Keras's published ImageNet weight files load; trained at "
        f"{size}x{size}).\n\n"
        "Args:\n"
        "    include_preprocessing: scale 0-255 RGB inputs inside the model (B0-B3: to ImageNet\n"
        "        mean and standard deviation; S, M, L: to [-1, 1]). Without it, the model\n"
        "        expects inputs prepared that way.\n"
        "    Others as in ``VGG16``; ``input_shape`` at least 32x32.")
    return build


EfficientNetV2B0 = _family("b0", "EfficientNetV2B0")
EfficientNetV2B1 = _family("b1", "EfficientNetV2B1")
EfficientNetV2B2 = _family("b2", "EfficientNetV2B2")
EfficientNetV2B3 = _family("b3", "EfficientNetV2B3")
EfficientNetV2S = _family("s", "EfficientNetV2S")
EfficientNetV2M = _family("m", "EfficientNetV2M")
EfficientNetV2L = _family("l", "EfficientNetV2L")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: EfficientNetV2 scales its input inside the model."""
    return x


decode_predictions = imagenet_utils.decode_predictions
