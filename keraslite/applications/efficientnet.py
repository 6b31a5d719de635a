"""EfficientNetB0 to B7 (Tan and Le, 2019): MobileNetV2-style inverted residual blocks with
squeeze-and-excitation and swish, scaled in width, depth and resolution together.

B0 has 5,330,571 parameters at 224x224 with the classifier. The input scaling is inside the
model: a ``Rescaling`` to [0, 1] then a ``Normalization`` layer whose mean and variance are
weights (the ImageNet statistics come with the published files), so images go in as RGB values
in 0-255 and ``preprocess_input`` is the identity. Residual branches are dropped per sample
while training (stochastic depth): ``Dropout`` with ``noise_shape=(None, 1, 1, 1)``, the rate
growing linearly with the block's depth.
"""
from __future__ import annotations

import math
from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

# The EfficientNet files live in another bucket than the other families'.
BASE_URL = "https://storage.googleapis.com/keras-applications/"
# variant -> (top file hash, no-top file hash) of the published files efficientnet<variant>.h5
# and efficientnet<variant>_notop.h5.
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# The B0 stages: (kernel, repeats, filters in, filters out, expansion, stride). Every block
# has squeeze-and-excitation at a quarter of its input filters.
_STAGES = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1))
_SE_RATIO = 0.25
_DROP_CONNECT_RATE = 0.2
# The published weights' Normalization holds the squared ImageNet std as its variance, while
# the original model divided by the variance itself: with "imagenet" weights a further
# per-channel Rescaling by 1/sqrt(std) restores the original normalization.
_IMAGENET_STD_RGB = (0.229, 0.224, 0.225)
# variant -> (width coefficient, depth coefficient, default image size, top dropout rate)
_VARIANTS = {
    "b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5),
}


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else -1


def _block(inputs, drop_rate: float, prefix: str, filters_in: int, filters_out: int,
           kernel: int, stride: int, expansion: int):
    """Expand (1x1), depthwise, squeeze-excite, project (1x1); residual when shapes allow."""
    filters = filters_in * expansion
    x = inputs
    if expansion != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          name=f"{prefix}expand_conv")(x)
        x = layers.BatchNormalization(axis=_axis(), name=f"{prefix}expand_bn")(x)
        x = layers.Activation("swish", name=f"{prefix}expand_activation")(x)
    if stride == 2:
        # TensorFlow's "same" for a stride-2 convolution, which the weights were trained with.
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, kernel),
                                 name=f"{prefix}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride, use_bias=False,
                               padding="valid" if stride == 2 else "same",
                               name=f"{prefix}dwconv")(x)
    x = layers.BatchNormalization(axis=_axis(), name=f"{prefix}bn")(x)
    x = layers.Activation("swish", name=f"{prefix}activation")(x)
    se = layers.GlobalAveragePooling2D(name=f"{prefix}se_squeeze")(x)
    se_shape = (filters, 1, 1) if _axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=f"{prefix}se_reshape")(se)
    se = layers.Conv2D(max(1, int(filters_in * _SE_RATIO)), 1, padding="same",
                       activation="swish", name=f"{prefix}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       name=f"{prefix}se_expand")(se)
    x = layers.Multiply(name=f"{prefix}se_excite")([x, se])
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      name=f"{prefix}project_conv")(x)
    x = layers.BatchNormalization(axis=_axis(), name=f"{prefix}project_bn")(x)
    if stride == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Stochastic depth: one keep/drop draw per sample for the whole residual branch.
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{prefix}drop")(x)
        x = layers.Add(name=f"{prefix}add")([x, inputs])
    return x


def check_classifier_for_weights(classifier_activation: Any, weights: Any) -> None:
    """The published classifiers were trained with softmax: only it or logits (None) fit."""
    if weights is None or classifier_activation in (None, "softmax"):
        return
    raise ValueError("Only `None` and `softmax` activations are allowed for the "
                     "`classifier_activation` argument when using pretrained weights, with "
                     f"`include_top=True`. Received: classifier_activation="
                     f"{classifier_activation!r}")


@weights_lib.draws_held_when_loading
def build_efficientnet(variant: str, include_top: bool, weights: Any, input_tensor: Any,
                       input_shape: Any, pooling: str | None, classes: int,
                       classifier_activation: Any, name: str) -> Functional:
    """The EfficientNet ``variant`` ("b0" to "b7") with Keras's layer names and weights."""
    width, depth, default_size, dropout_rate = _VARIANTS[variant]
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size,
                                              min_size=32, require_flatten=include_top,
                                              weights=weights)
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        check_classifier_for_weights(classifier_activation, weights)

    def filters(count: int) -> int:
        return imagenet_utils.make_divisible(count * width, 8)

    def repeats(count: int) -> int:
        return int(math.ceil(depth * count))

    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=_axis())(x)
    if weights == "imagenet":
        x = layers.Rescaling([1.0 / math.sqrt(std) for std in _IMAGENET_STD_RGB])(x)
    x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(filters(32), 3, strides=2, padding="valid", use_bias=False,
                      name="stem_conv")(x)
    x = layers.BatchNormalization(axis=_axis(), name="stem_bn")(x)
    x = layers.Activation("swish", name="stem_activation")(x)
    total = float(sum(repeats(stage[1]) for stage in _STAGES))
    index = 0
    for stage, (kernel, count, f_in, f_out, expansion, stride) in enumerate(_STAGES, 1):
        f_in, f_out = filters(f_in), filters(f_out)
        for j in range(repeats(count)):
            # Only a stage's first block changes the stride and the width.
            x = _block(x, _DROP_CONNECT_RATE * index / total, f"block{stage}{chr(97 + j)}_",
                       f_in if j == 0 else f_out, f_out, kernel, stride if j == 0 else 1,
                       expansion)
            index += 1
    x = layers.Conv2D(filters(1280), 1, padding="same", use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(axis=_axis(), name="top_bn")(x)
    x = layers.Activation("swish", name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    # The published file names follow the variant, whatever the model is called.
    file_name = f"efficientnet{variant}{'' if include_top else '_notop'}.h5"
    top_hash, notop_hash = WEIGHTS_HASHES[variant]
    weights_lib.load(model, weights, file_name, f"{BASE_URL}{file_name}",
                     top_hash if include_top else notop_hash)
    return model


def _family(variant: str):
    title = f"EfficientNet{variant.upper()}"
    default_name = f"efficientnet{variant}"

    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = default_name) -> Functional:
        return build_efficientnet(variant, include_top, weights, input_tensor, input_shape,
                                  pooling, classes, classifier_activation, name)

    size = _VARIANTS[variant][2]
    build.__name__ = build.__qualname__ = title
    build.__doc__ = (f"{title} (Keras's layout, so Keras's published ImageNet weight files load)."
                     f"\n\n    Arguments as in ``VGG16``; ``input_shape`` at least 32x32, "
                     f"{size}x{size}x3 by default.\n    Images go in as RGB values in 0-255: "
                     "the scaling is inside the model.\n")
    return build


EfficientNetB0 = _family("b0")
EfficientNetB1 = _family("b1")
EfficientNetB2 = _family("b2")
EfficientNetB3 = _family("b3")
EfficientNetB4 = _family("b4")
EfficientNetB5 = _family("b5")
EfficientNetB6 = _family("b6")
EfficientNetB7 = _family("b7")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: EfficientNet scales and normalizes its input inside the model."""
    return x


decode_predictions = imagenet_utils.decode_predictions
