"""DenseNet121/169/201 (Huang et al., 2016): every layer of a block sees all earlier ones."""
from __future__ import annotations

from typing import Any

from keraslite import config, layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_EPSILON = 1.001e-5
_GROWTH = 32
# model name -> (top file hash, no-top file hash) of the published Keras files
WEIGHTS_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else -1


def _bn(name: str) -> layers.BatchNormalization:
    return layers.BatchNormalization(axis=_axis(), epsilon=_EPSILON, name=name)


def _dense_layer(x, name: str):
    """BN-ReLU-1x1 (4x growth) then BN-ReLU-3x3 (growth), concatenated to the input."""
    y = _bn(f"{name}_0_bn")(x)
    y = layers.Activation("relu", name=f"{name}_0_relu")(y)
    y = layers.Conv2D(4 * _GROWTH, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn(f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(_GROWTH, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=_axis(), name=f"{name}_concat")([x, y])


def _transition(x, name: str):
    """Halves the channels (1x1 convolution) and the resolution (2x2 average pooling)."""
    x = _bn(f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(x.shape[_axis()] // 2, 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


@weights_lib.draws_held_when_loading
def build_densenet(blocks: tuple, model_name: str, include_top: bool, weights: Any,
                   input_tensor: Any, input_shape: Any, pooling: str | None, classes: int,
                   classifier_activation: Any, name: str | None) -> Functional:
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                              require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = layers.ZeroPadding2D(((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn("conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, 2):
        for i in range(1, count + 1):
            x = _dense_layer(x, f"conv{stage}_block{i}")
        if stage < 5:
            x = _transition(x, f"pool{stage}")
    x = _bn("bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = imagenet_utils.classifier(x, include_top, pooling, classes, classifier_activation)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x,
                       name=model_name if name is None else name)
    top_hash, notop_hash = WEIGHTS_HASHES[model_name]
    suffix = "" if include_top else "_notop"
    file_name = f"{model_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    weights_lib.load(model, weights, file_name, f"{weights_lib.BASE_URL}densenet/{file_name}",
                     top_hash if include_top else notop_hash)
    return model


def _family(blocks: tuple, model_name: str, title: str):
    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = model_name) -> Functional:
        return build_densenet(blocks, model_name, include_top, weights, input_tensor,
                              input_shape, pooling, classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = title
    build.__doc__ = (f"{title} (Keras's layout, so Keras's published ImageNet weight files "
                     "load). Arguments as in ``VGG16``; ``input_shape`` at least 32x32. Images go "
                     "through ``keraslite.applications.densenet.preprocess_input`` (\"torch\").")
    return build


DenseNet121 = _family((6, 12, 24, 16), "densenet121", "DenseNet121")
DenseNet169 = _family((6, 12, 32, 32), "densenet169", "DenseNet169")
DenseNet201 = _family((6, 12, 48, 32), "densenet201", "DenseNet201")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "torch" convention (0-1, ImageNet mean and std)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


decode_predictions = imagenet_utils.decode_predictions
