"""The VGG builder behind ``VGG16`` and ``VGG19`` (Simonyan & Zisserman, 2014)."""
from __future__ import annotations

from typing import Any

from keraslite import layers
from keraslite.applications import imagenet_utils, weights as weights_lib
from keraslite.models import Functional

_WEIGHTS = {  # family -> (top file hash, no-top file hash) of the published Keras files
    "vgg16": ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
    "vgg19": ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
}


@weights_lib.draws_held_when_loading
def build_vgg(convs_per_block: tuple, family: str, include_top: bool, weights: Any,
              input_tensor: Any, input_shape: Any, pooling: str | None, classes: int,
              classifier_activation: Any, name: str) -> Functional:
    """Five blocks of 3x3 convolutions (64, 128, 256, 512, 512 filters), each ending in a 2x2
    max pooling, then two 4096-unit dense layers and the classifier."""
    imagenet_utils.check_arguments(weights, include_top, classes)
    imagenet_utils.check_pooling(pooling)
    shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                              require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block), 1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, 3, activation="relu", padding="same",
                              name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    if include_top:
        imagenet_utils.check_classifier_activation(classifier_activation)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    top_hash, notop_hash = _WEIGHTS[family]
    suffix = "" if include_top else "_notop"
    file_name = f"{family}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    weights_lib.load(model, weights, file_name, f"{weights_lib.BASE_URL}{family}/{file_name}",
                     top_hash if include_top else notop_hash)
    return model
