"""ResNet50/101/152 (He et al., 2015) and the builder shared with ResNetV2.

ResNet50 has 25,636,712 parameters at 224x224 with the classifier.
"""
from __future__ import annotations

from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_BN_EPSILON = 1.001e-5
# model name -> (top file hash, no-top file hash) of the published Keras files
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}


def _bn(name: str) -> layers.BatchNormalization:
    axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, epsilon=_BN_EPSILON, name=name)


def _bottleneck(x, filters: int, stride: int, conv_shortcut: bool, name: str):
    """A post-activation bottleneck (1x1, 3x3, 1x1 with 4x filters) with its shortcut."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = _bn(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = _bn(f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _preact_bottleneck(x, filters: int, stride: int, conv_shortcut: bool, name: str):
    """A pre-activation bottleneck (ResNetV2): the stride sits on the 3x3 convolution."""
    preact = _bn(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    elif stride > 1:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def _stacks(x, blocks: tuple, preact: bool):
    for stage, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks), 2):
        name = f"conv{stage}"
        if preact:  # V2 downsamples at the end of every stage but the last
            stride = 1 if stage == 5 else 2
            x = _preact_bottleneck(x, filters, 1, True, f"{name}_block1")
            for i in range(2, count):
                x = _preact_bottleneck(x, filters, 1, False, f"{name}_block{i}")
            x = _preact_bottleneck(x, filters, stride, False, f"{name}_block{count}")
        else:
            x = _bottleneck(x, filters, 1 if stage == 2 else 2, True, f"{name}_block1")
            for i in range(2, count + 1):
                x = _bottleneck(x, filters, 1, False, f"{name}_block{i}")
    return x


@weights_lib.draws_held_when_loading
def build_resnet(blocks: tuple, preact: bool, model_name: str, include_top: bool, weights: Any,
                 input_tensor: Any, input_shape: Any, pooling: str | None, classes: int,
                 classifier_activation: Any, name: str | None) -> Functional:
    """A ResNet with ``blocks`` bottlenecks in its four stages (V2 when ``preact``)."""
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                              require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = layers.ZeroPadding2D(((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    if not preact:
        x = _bn("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = _stacks(x, blocks, preact)
    if preact:
        x = _bn("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = imagenet_utils.classifier(x, include_top, pooling, classes, classifier_activation)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x,
                       name=model_name if name is None else name)
    top_hash, notop_hash = WEIGHTS_HASHES[model_name]
    suffix = "" if include_top else "_notop"
    file_name = f"{model_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    weights_lib.load(model, weights, file_name, f"{weights_lib.BASE_URL}resnet/{file_name}",
                     top_hash if include_top else notop_hash)
    return model


def _family(blocks: tuple, model_name: str, title: str):
    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = model_name) -> Functional:
        return build_resnet(blocks, False, model_name, include_top, weights, input_tensor,
                            input_shape, pooling, classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = title
    build.__doc__ = (f"{title} (Keras's layout, so Keras's published ImageNet weight files "
                     "load). Arguments as in ``VGG16``; ``input_shape`` at least 32x32. Images go "
                     "through ``keraslite.applications.resnet.preprocess_input`` (\"caffe\").")
    return build


ResNet50 = _family((3, 4, 6, 3), "resnet50", "ResNet50")
ResNet101 = _family((3, 4, 23, 3), "resnet101", "ResNet101")
ResNet152 = _family((3, 8, 36, 3), "resnet152", "ResNet152")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "caffe" convention of the weights (BGR, mean subtracted)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
