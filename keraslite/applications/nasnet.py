"""NASNetMobile and NASNetLarge (Zoph et al., 2018): cells found by architecture search,
stacked as normal cells (same resolution) between reduction cells (half resolution).

Each cell takes two inputs, the previous cell's output ``x`` and the one before it ``p``; ``p``
is first brought to ``x``'s resolution and width (``_adjust``). NASNetMobile has 5,326,716
parameters at 224x224 with the classifier, NASNetLarge 88,949,818 at 331x331. The cell wiring
depends on the static image size (it compares the two inputs' resolutions), so NASNet is built
for a fixed ``input_shape`` and only for ``channels_last``, as in Keras.
"""
from __future__ import annotations

from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

BASE_URL = f"{weights_lib.BASE_URL}nasnet/"
# variant -> ((cache file name, published file, md5) with the top, (the same) without it)
WEIGHTS = {
    "mobile": (("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
               ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5",
                "1ed92395b5b598bdda52abe5c0dbfd63")),
    "large": (("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
              ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5",
               "d81d89dc07e6e56530c4e77faddd61b5")),
}
# variant -> (penultimate filters, cells per stack, stem filters, skip reduction, default size)
_VARIANTS = {
    "mobile": (1056, 4, 32, False, 224),
    "large": (4032, 6, 96, True, 331),
}
_MULTIPLIER = 2  # width growth at each reduction
_MIN_SIZE = 32
# Every batch normalization of the published models: slow moving averages, epsilon 1e-3.
_BN = {"axis": -1, "momentum": 0.9997, "epsilon": 1e-3}


def _bn(name: str) -> layers.BatchNormalization:
    return layers.BatchNormalization(name=name, **_BN)


def _conv1x1(x, filters: int, name: str):
    return layers.Conv2D(filters, 1, padding="same", use_bias=False, name=name,
                         kernel_initializer="he_normal")(x)


def _separable_block(x, filters: int, kernel: int = 3, strides: int = 1, block_id: str = ""):
    """Twice ReLU, separable convolution, batch normalization; the first one may be strided
    (then padded as TensorFlow's "same", which the published weights were trained with)."""
    x = layers.Activation("relu")(x)
    padding = "same"
    if strides == 2:
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, kernel),
                                 name=f"separable_conv_1_pad_{block_id}")(x)
        padding = "valid"
    x = layers.SeparableConv2D(filters, kernel, strides=strides, padding=padding,
                               use_bias=False, name=f"separable_conv_1_{block_id}")(x)
    x = _bn(f"separable_conv_1_bn_{block_id}")(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel, padding="same", use_bias=False,
                               name=f"separable_conv_2_{block_id}")(x)
    return _bn(f"separable_conv_2_bn_{block_id}")(x)


def _adjust(p, ip, filters: int, block_id: str):
    """The previous-previous input ``p`` brought to ``ip``'s resolution and ``filters``."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        # Half resolution: two 1x1 convolutions on the even and the odd pixel grids (the
        # second shifted by one pixel), concatenated, so no pixel is ignored.
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D(1, strides=2, padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
        p2 = layers.ZeroPadding2D(((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D(1, strides=2, padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
        p = layers.concatenate([p1, p2], axis=-1)
        return _bn(f"adjust_bn_{block_id}")(p)
    if p.shape[-1] != filters:
        p = layers.Activation("relu")(p)
        p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return _bn(f"adjust_bn_{block_id}")(p)
    return p


def _squeeze(ip, filters: int, kind: str, block_id: str):
    """ReLU, 1x1 convolution to ``filters``, batch normalization: the cell's ``h`` input."""
    h = layers.Activation("relu")(ip)
    h = _conv1x1(h, filters, f"{kind}_conv_1_{block_id}")
    return _bn(f"{kind}_bn_1_{block_id}")(h)


def _avg3(x, strides: int, padding: str, name: str):
    return layers.AveragePooling2D(3, strides=strides, padding=padding, name=name)(x)


def _normal_cell(ip, p, filters: int, block_id: str):
    """Five two-input combinations of ``h`` (from ``ip``) and ``p``, concatenated with ``p``;
    returns (output, ``ip``), the next cell's two inputs."""
    p = _adjust(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "normal", block_id)
    x1 = layers.add([_separable_block(h, filters, 5, block_id=f"normal_left1_{block_id}"),
                     _separable_block(p, filters, block_id=f"normal_right1_{block_id}")],
                    name=f"normal_add_1_{block_id}")
    x2 = layers.add([_separable_block(p, filters, 5, block_id=f"normal_left2_{block_id}"),
                     _separable_block(p, filters, 3, block_id=f"normal_right2_{block_id}")],
                    name=f"normal_add_2_{block_id}")
    x3 = layers.add([_avg3(h, 1, "same", f"normal_left3_{block_id}"), p],
                    name=f"normal_add_3_{block_id}")
    x4 = layers.add([_avg3(p, 1, "same", f"normal_left4_{block_id}"),
                     _avg3(p, 1, "same", f"normal_right4_{block_id}")],
                    name=f"normal_add_4_{block_id}")
    x5 = layers.add([_separable_block(h, filters, block_id=f"normal_left5_{block_id}"), h],
                    name=f"normal_add_5_{block_id}")
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1, name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_cell(ip, p, filters: int, block_id: str):
    """Halves the resolution: strided separable convolutions and poolings, combined in pairs;
    returns (output, ``ip``). The names (``reduction_left4``, ``reduction_add3``) are the
    published files'."""
    p = _adjust(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "reduction", block_id)
    h3 = layers.ZeroPadding2D(imagenet_utils.correct_pad(h, 3),
                              name=f"reduction_pad_1_{block_id}")(h)
    x1 = layers.add([
        _separable_block(h, filters, 5, 2, block_id=f"reduction_left1_{block_id}"),
        _separable_block(p, filters, 7, 2, block_id=f"reduction_right1_{block_id}")],
        name=f"reduction_add_1_{block_id}")
    x2 = layers.add([
        layers.MaxPooling2D(3, strides=2, padding="valid",
                            name=f"reduction_left2_{block_id}")(h3),
        _separable_block(p, filters, 7, 2, block_id=f"reduction_right2_{block_id}")],
        name=f"reduction_add_2_{block_id}")
    x3 = layers.add([
        _avg3(h3, 2, "valid", f"reduction_left3_{block_id}"),
        _separable_block(p, filters, 5, 2, block_id=f"reduction_right3_{block_id}")],
        name=f"reduction_add3_{block_id}")
    x4 = layers.add([x2, _avg3(x1, 1, "same", f"reduction_left4_{block_id}")])
    x5 = layers.add([
        _separable_block(x1, filters, 3, block_id=f"reduction_left4_{block_id}"),
        layers.MaxPooling2D(3, strides=2, padding="valid",
                            name=f"reduction_right5_{block_id}")(h3)],
        name=f"reduction_add4_{block_id}")
    x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def _check_input_shape(input_shape: Any, weights: Any) -> None:
    if input_shape is None:
        return
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError("`input_shape` must be a tuple of three positive integers (height, "
                        f"width, channels). Received: input_shape={input_shape!r}")
    if None in tuple(input_shape):
        # The cells compare their two inputs' resolutions: unknown ones wire them wrongly.
        raise ValueError("NASNet needs a static `input_shape` (no None entries): its cells "
                         "are wired from the image size. "
                         f"Received: input_shape={tuple(input_shape)}")


@weights_lib.draws_held_when_loading
def build_nasnet(variant: str, input_shape: Any, include_top: bool, weights: Any,
                 input_tensor: Any, pooling: str | None, classes: int,
                 classifier_activation: Any, name: str) -> Functional:
    """The NASNet ``variant`` ("mobile" or "large") with Keras's layer and weight names."""
    penultimate, cells, stem_filters, skip_reduction, default_size = _VARIANTS[variant]
    if config.image_data_format() == "channels_first":
        raise ValueError("NASNet is only available for the 'channels_last' image data format. "
                         "Received: image_data_format='channels_first'")
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    _check_input_shape(input_shape, weights)
    if input_shape is None and not include_top:
        input_shape = (default_size, default_size, 3)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size,
                                              min_size=_MIN_SIZE, require_flatten=include_top,
                                              weights=weights, data_format="channels_last")
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        if weights is not None and classifier_activation not in (None, "softmax"):
            raise ValueError("Only `None` and `softmax` activations are allowed for the "
                             "`classifier_activation` argument when using pretrained weights. "
                             f"Received: classifier_activation={classifier_activation!r}")
    img_input = imagenet_utils.image_input(input_tensor, shape)
    filters = penultimate // 24
    x = layers.Conv2D(stem_filters, 3, strides=2, padding="valid", use_bias=False,
                      name="stem_conv1", kernel_initializer="he_normal")(img_input)
    x = _bn("stem_bn1")(x)
    x, p = _reduction_cell(x, None, filters // _MULTIPLIER ** 2, "stem_1")
    x, p = _reduction_cell(x, p, filters // _MULTIPLIER, "stem_2")
    for stack in range(3):
        width = filters * _MULTIPLIER ** stack
        if stack:
            x, p_reduced = _reduction_cell(x, p, width, f"reduce_{stack * cells}")
            # NASNetLarge feeds the next cell the reduction's input, NASNetMobile its ``p``.
            p = p if skip_reduction else p_reduced
        for i in range(cells):
            x, p = _normal_cell(x, p, width, f"{stack * cells + i + bool(stack)}")
    x = layers.Activation("relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    cache_name, published, md5 = WEIGHTS[variant][0 if include_top else 1]
    if weights == "imagenet":
        # Downloaded under Keras's cache name, so a file Keras already fetched is reused.
        weights_lib.load(model, weights, cache_name, f"{BASE_URL}{published}", md5)
    else:
        weights_lib.load(model, weights)
    return model


def NASNetMobile(input_shape: tuple | None = None, include_top: bool = True,
                 weights: Any = "imagenet", input_tensor: Any = None,
                 pooling: str | None = None, classes: int = 1000,
                 classifier_activation: Any = "softmax",
                 name: str = "nasnet_mobile") -> Functional:
    """NASNetMobile (Keras's layout, so Keras's published ImageNet weight files load).

    ``input_shape`` comes first, as in Keras; 224x224x3 by default (also without the top), at
    least 32x32 and static. With the top and ``weights="imagenet"`` it must be (224, 224, 3).
    Other arguments as in ``VGG16``. Images go through
    ``keraslite.applications.nasnet.preprocess_input`` ("tf").
    """
    return build_nasnet("mobile", input_shape, include_top, weights, input_tensor, pooling,
                        classes, classifier_activation, name)


def NASNetLarge(input_shape: tuple | None = None, include_top: bool = True,
                weights: Any = "imagenet", input_tensor: Any = None,
                pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax",
                name: str = "nasnet_large") -> Functional:
    """NASNetLarge (Keras's layout, so Keras's published ImageNet weight files load).

    ``input_shape`` comes first, as in Keras; 331x331x3 by default (also without the top), at
    least 32x32 and static. With the top and ``weights="imagenet"`` it must be (331, 331, 3).
    Other arguments as in ``VGG16``. Images go through
    ``keraslite.applications.nasnet.preprocess_input`` ("tf").
    """
    return build_nasnet("large", input_shape, include_top, weights, input_tensor, pooling,
                        classes, classifier_activation, name)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "tf" convention of the weights ([-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """The ``top`` ImageNet classes of each row of ``preds`` as (wordnet_id, name, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
