"""AlexNet in the single-stream layout torchvision uses (Krizhevsky, 2014, "One weird trick").

61,100,840 parameters at 224x224 with the classifier. Keras has no AlexNet and there is no
published Keras weight file: build it with ``weights=None``, or load a keraslite
``.safetensors`` file (or a Keras ``.h5``/``.weights.h5`` saved from this layout). Weight files
are read as data, never unpickled, so PyTorch ``.pth`` checkpoints are not accepted: convert
them to safetensors first (mind that convolution kernels are (h, w, in, out) here and that
``flatten`` sees (6, 6, 256) in channels-last order).
"""
from __future__ import annotations

from typing import Any

from keraslite import layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

# The smallest image whose features survive the three 3x3/2 poolings.
MIN_SIZE = 63


@weights_lib.draws_held_when_loading
def AlexNet(include_top: bool = True, weights: Any = None, input_tensor: Any = None,
            input_shape: tuple | None = None, pooling: str | None = None, classes: int = 1000,
            classifier_activation: Any = "softmax", name: str = "alexnet",
            dropout: float = 0.5) -> Functional:
    """AlexNet: five convolutions (64-11x11/4, 192-5x5, 384, 256, 256-3x3) with three 3x3/2
    max poolings, a 6x6 adaptive average pooling, then dense 4096-4096-``classes`` with dropout.

    Args:
        include_top: with the adaptive pooling and the three dense layers; without it the
            output is the last max pooling's features (or their ``pooling``).
        weights: ``None`` or the path of a weights file (no ``"imagenet"``: none is published).
        input_tensor, input_shape: the image input; ``input_shape`` at least 63x63, 224x224x3
            by default.
        pooling: without the top, ``None``, ``"avg"`` or ``"max"``.
        classes: the classifier's width.
        classifier_activation: the last layer's activation (``None`` for logits).
        name: the model's name.
        dropout: the rate of the two dropout layers before the dense layers.

    Images go through ``keraslite.applications.alexnet.preprocess_input`` ("torch" mode).

    Example::

        model = keraslite.applications.AlexNet(weights=None, classes=10,
                                               input_shape=(64, 64, 3))
    """
    imagenet_utils.check_arguments(weights, include_top, classes, has_imagenet=False)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=MIN_SIZE,
                                              require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = layers.ZeroPadding2D(2, name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 11, strides=4, activation="relu", name="conv1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(192, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(256, 3, padding="same", activation="relu", name="conv4")(x)
    x = layers.Conv2D(256, 3, padding="same", activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool3")(x)
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        x = layers.AdaptiveAveragePooling2D(6, name="adaptive_pool")(x)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dropout(dropout, name="dropout1")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dropout(dropout, name="dropout2")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    weights_lib.load(model, weights)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """RGB images in 0-255 to the "torch" convention (0-1, then ImageNet mean and std)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


decode_predictions = imagenet_utils.decode_predictions
