"""ConvNeXtTiny, Small, Base, Large and XLarge (Liu et al., 2022, "A ConvNet for the 2020s").

Each block is a 7x7 depthwise convolution, a layer normalization and a 4x-wide two-layer MLP
(``Dense`` layers over the channels), scaled per channel (``LayerScale``) and added to its input.
The ImageNet normalization is inside the model (``include_preprocessing=True``): images go in as
RGB values in 0-255. The stem and the three downsampling steps are nested ``Sequential`` models,
as in Keras, so the weight paths and the published files' layer names match.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional, Sequential

# model name -> (top file sha256, no-top file sha256) of the published Keras files
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
# variant -> (blocks per stage, channels per stage)
CONFIGS = {
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
}
_EPSILON = 1e-6
_LAYER_SCALE = 1e-6
# The ImageNet statistics of the published weights, on the 0-255 scale.
_MEAN = [0.485 * 255, 0.456 * 255, 0.406 * 255]
_VARIANCE = [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2]


def _layer_norm(name: str | None = None) -> layers.LayerNormalization:
    return layers.LayerNormalization(epsilon=_EPSILON, name=name)


def _block(x, channels: int, drop_rate: float, name: str):
    """Depthwise 7x7, LayerNorm, Dense 4x + GELU, Dense back, LayerScale, residual add."""
    y = layers.Conv2D(channels, 7, padding="same", groups=channels,
                      name=f"{name}_depthwise_conv")(x)
    y = _layer_norm(f"{name}_layernorm")(y)
    y = layers.Dense(4 * channels, name=f"{name}_pointwise_conv_1")(y)
    y = layers.Activation("gelu", name=f"{name}_gelu")(y)
    y = layers.Dense(channels, name=f"{name}_pointwise_conv_2")(y)
    y = layers.LayerScale(_LAYER_SCALE, channels, name=f"{name}_layer_scale")(y)
    if drop_rate:
        y = layers.StochasticDepth(drop_rate, name=f"{name}_stochastic_depth")(y)
    else:  # Keras's layer list has a named identity here; kept so the layers match
        y = layers.Activation("linear", name=f"{name}_identity")(y)
    return x + y


def _downsampling(name: str, index: int, channels: int) -> Sequential:
    if index == 0:  # the stem: a 4x4 patchify convolution, then LayerNorm
        return Sequential([layers.Conv2D(channels, 4, strides=4, name=f"{name}_stem_conv"),
                           _layer_norm(f"{name}_stem_layernorm")], name=f"{name}_stem")
    i = index - 1
    return Sequential([_layer_norm(f"{name}_downsampling_layernorm_{i}"),
                       layers.Conv2D(channels, 2, strides=2, name=f"{name}_downsampling_conv_{i}")],
                      name=f"{name}_downsampling_block_{i}")


def _nest_paths(model: Sequential) -> None:
    """Keras 3 creates a nested model's variables under that model's name
    (``convnext_tiny_stem/convnext_tiny_stem_conv/kernel``); keraslite names a variable after its
    own layer only, so the nested models' paths are prefixed here to be Keras's."""
    for weight in model.weights:
        if not weight.path.startswith(f"{model.name}/"):
            weight.path = f"{model.name}/{weight.path}"


@weights_lib.draws_held_when_loading
def build_convnext(variant: str, include_top: bool, include_preprocessing: bool, weights: Any,
                   input_tensor: Any, input_shape: Any, pooling: str | None, classes: int,
                   classifier_activation: Any, name: str, drop_path_rate: float = 0.0
                   ) -> Functional:
    """The ConvNeXt ``variant`` (a key of ``CONFIGS``) with Keras's layout."""
    if config.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt supports only the 'channels_last' image data format "
                         "(its Dense and LayerNormalization layers act on the last axis). "
                         "Received: image_data_format='channels_first'")
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                              require_flatten=include_top, weights=weights)
    depths, channels = CONFIGS[variant]
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = img_input
    if include_preprocessing and shape[-1] == 3:
        x = layers.Normalization(mean=_MEAN, variance=_VARIANCE,
                                 name=f"{name}_prestem_normalization")(x)
    # Linearly growing drop rates over all blocks (0 for the published models).
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    done = 0
    for stage, (depth, width) in enumerate(zip(depths, channels)):
        downsampling = _downsampling(name, stage, width)
        x = downsampling(x)
        _nest_paths(downsampling)
        for j in range(depth):
            x = _block(x, width, rates[done + j], f"{name}_stage_{stage}_block_{j}")
        done += depth
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = _layer_norm(f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=f"{name}_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = _layer_norm()(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    model_name = f"convnext_{variant}"
    top_hash, notop_hash = WEIGHTS_HASHES[model_name]
    file_name = f"{model_name}{'.h5' if include_top else '_notop.h5'}"
    weights_lib.load(model, weights, file_name, f"{weights_lib.BASE_URL}convnext/{file_name}",
                     top_hash if include_top else notop_hash)
    return model


def _family(variant: str, title: str):
    default_name = f"convnext_{variant}"

    def build(include_top: bool = True, include_preprocessing: bool = True,
              weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = default_name) -> Functional:
        return build_convnext(variant, include_top, include_preprocessing, weights,
                              input_tensor, input_shape, pooling, classes,
                              classifier_activation, name)

    depths, channels = CONFIGS[variant]
    build.__name__ = build.__qualname__ = title
    build.__doc__ = (
        f"{title}: ConvNeXt with {sum(depths)} blocks of {channels} channels per stage "
        "(Keras's layout, so Keras's published ImageNet weight files load).\n\n"
        "Args:\n"
        "    include_preprocessing: normalize 0-255 RGB inputs inside the model (ImageNet mean\n"
        "        and standard deviation); keep it for the ImageNet weights.\n"
        "    Others as in ``VGG16``; ``input_shape`` at least 32x32, channels last only.\n"
        "    Without the top, a LayerNormalization follows the (optional) pooling, as in Keras.")
    return build


ConvNeXtTiny = _family("tiny", "ConvNeXtTiny")
ConvNeXtSmall = _family("small", "ConvNeXtSmall")
ConvNeXtBase = _family("base", "ConvNeXtBase")
ConvNeXtLarge = _family("large", "ConvNeXtLarge")
ConvNeXtXLarge = _family("xlarge", "ConvNeXtXLarge")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: ConvNeXt normalizes its input inside the model."""
    return x


decode_predictions = imagenet_utils.decode_predictions
