"""What every ImageNet application shares: argument checks, the input, the classifier head,
``preprocess_input`` in its three modes and ``decode_predictions``.

The three preprocessing modes are those of the published weights, which were trained on
differently prepared images:

- ``"caffe"`` (VGG, ResNet): RGB -> BGR, then the ImageNet channel means are subtracted;
- ``"tf"`` (MobileNet, Inception, Xception, ResNetV2): scaled to [-1, 1];
- ``"torch"`` (DenseNet, AlexNet): scaled to [0, 1], then normalized by the ImageNet mean and
  standard deviation.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from keraslite import config, layers, ops
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.utils.file_utils import get_file

CLASS_INDEX_URL = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                   "imagenet_class_index.json")
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
# A file shipped with the package wins over the download (data only, read as JSON).
_PACKAGED_INDEX = os.path.join(os.path.dirname(__file__), "data", "imagenet_class_index.json")
_MAX_INDEX_BYTES = 1 << 20
_class_index: dict[str, list[str]] | None = None

_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
MODES = ("caffe", "tf", "torch")


def _channel_axis(data_format: str) -> int:
    return 1 if data_format == "channels_first" else -1


def _standardize_format(data_format: str | None) -> str:
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("`data_format` should be 'channels_first' or 'channels_last'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Prepares a batch of RGB images (values 0-255) the way the published weights expect.

    Works on NumPy arrays (returned as float32 NumPy), backend tensors and symbolic tensors.
    """
    if mode not in MODES:
        raise ValueError(f"`mode` should be one of {', '.join(map(repr, MODES))}. "
                         f"Received: mode={mode!r}")
    data_format = _standardize_format(data_format)
    axis = _channel_axis(data_format)
    if isinstance(x, np.ndarray) or isinstance(x, (list, tuple)):
        x = np.asarray(x)
        x = x.astype("float32") if not np.issubdtype(x.dtype, np.floating) else x.copy()
        return _preprocess(x, np, axis, mode)
    return _preprocess(x, ops, axis, mode)


def _broadcast(values, ndim: int, axis: int):
    shape = [1] * ndim
    shape[axis] = len(values)
    return np.asarray(values, dtype="float32").reshape(shape)


def _preprocess(x, xp, axis, mode):
    ndim = len(x.shape)
    if x.shape[axis] != 3:
        raise ValueError(f"preprocess_input expected 3 channels on axis {axis}. "
                         f"Received: shape={tuple(x.shape)}")
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        mean = _broadcast(_TORCH_MEAN, ndim, axis)
        std = _broadcast(_TORCH_STD, ndim, axis)
        return (x / 255.0 - mean) / std
    # caffe: reverse the channel order, then centre each channel.
    x = xp.flip(x, axis=axis)
    mean = _broadcast(_CAFFE_MEAN_BGR, ndim, axis)
    if xp is np:
        mean = mean.astype(x.dtype)
    return x - mean


def _load_class_index() -> dict[str, list[str]]:
    global _class_index
    if _class_index is None:
        path = _PACKAGED_INDEX
        if not os.path.isfile(path):
            path = get_file("imagenet_class_index.json", CLASS_INDEX_URL,
                            cache_subdir="models", file_hash=CLASS_INDEX_HASH)
        _class_index = read_class_index(path)
    return _class_index


def read_class_index(path: str | os.PathLike) -> dict[str, list[str]]:
    """Reads an ImageNet class index JSON (``{"0": ["n01440764", "tench"], ...}``), as data."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"The ImageNet class index {path!r} is not a regular file.")
    if os.path.getsize(path) > _MAX_INDEX_BYTES:
        raise ValueError(f"The ImageNet class index {path!r} is larger than "
                         f"{_MAX_INDEX_BYTES} bytes; it is not a class index.")
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict) or not all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(s, str) for s in v)
            for v in index.values()):
        raise ValueError(f"{path!r} is not an ImageNet class index: expected a JSON object "
                         "mapping class numbers to [wordnet_id, name] pairs.")
    return index


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """The ``top`` classes of each row of ``preds`` (batch, 1000) as (wordnet_id, name, score).

    The class index ships inside the package (``applications/data``), so this works offline;
    only an installation that lacks that file falls back to downloading it.
    """
    preds = np.asarray(ops.convert_to_numpy(preds) if not isinstance(preds, np.ndarray) else preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Received array with shape: {preds.shape}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or not 1 <= top <= 1000:
        raise ValueError("`top` should be an integer between 1 and 1000 (the number of classes "
                         f"to return per sample). Received: top={top!r}")
    index = _load_class_index()
    results = []
    for row in preds:
        best = np.argsort(row)[::-1][:top]
        results.append([tuple(index[str(int(i))]) + (float(row[i]),) for i in best])
    return results


def check_arguments(weights: Any, include_top: bool, classes: int,
                    has_imagenet: bool = True) -> None:
    """The checks Keras makes before building: a known ``weights`` value and ``classes``."""
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise TypeError("The `weights` argument should be None, 'imagenet' or the path to a "
                        f"weights file. Received: weights={weights!r}")
    if weights is not None and weights != "imagenet" and not os.path.exists(weights):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded. Received: weights={weights!r} "
                         "(no such file)")
    if weights == "imagenet" and not has_imagenet:
        raise ValueError("There are no published ImageNet weights for this model; pass "
                         "weights=None or the path to a weights file.")
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 1:
        raise ValueError(f"`classes` should be a positive integer. Received: classes={classes!r}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000. Received: classes={classes}")


def obtain_input_shape(input_shape: Sequence[int | None] | None, default_size: int,
                       min_size: int, require_flatten: bool, weights: Any = None,
                       data_format: str | None = None) -> tuple:
    """The image shape (without batch) a model is built for, checked for the family."""
    data_format = _standardize_format(data_format)
    first = data_format == "channels_first"
    channels = 3
    if input_shape is not None and weights != "imagenet" and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
    default = (channels, default_size, default_size) if first else (
        default_size, default_size, channels)
    if weights == "imagenet" and require_flatten and input_shape is not None:
        if tuple(input_shape) != default:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default}. "
                             f"Received: input_shape={tuple(input_shape)}")
        return default
    if input_shape is None:
        if require_flatten:
            return default
        return (3, None, None) if first else (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or not all(d is None or (isinstance(d, int) and d > 0)
                                        for d in input_shape):
        raise ValueError("`input_shape` must be a tuple of three positive integers (height, "
                         f"width, channels). Received: input_shape={input_shape}")
    rows, cols, chans = ((input_shape[1], input_shape[2], input_shape[0]) if first
                         else input_shape)
    if weights == "imagenet" and chans != 3:
        raise ValueError("The input must have 3 channels to load the ImageNet weights. "
                         f"Received: input_shape={input_shape}")
    if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
        raise ValueError(f"Input size must be at least {min_size}x{min_size} for this model. "
                         f"Received: input_shape={input_shape}")
    if require_flatten and (rows is None or cols is None):
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def image_input(input_tensor: Any, input_shape: tuple) -> KerasTensor:
    """The model's image input: a new ``Input``, or the given tensor (wrapped if concrete)."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if isinstance(input_tensor, KerasTensor):
        return input_tensor
    return layers.Input(tensor=input_tensor, shape=input_shape)


def source_inputs(tensor: Any) -> list[KerasTensor]:
    """The ``Input`` tensors ``tensor`` was computed from (the model's inputs)."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        history = getattr(t, "_history", None)
        if history is None:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            continue
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if node.is_input:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
        else:
            stack.extend(reversed(node.input_tensors))
    return found


def model_inputs(input_tensor: Any, img_input: KerasTensor) -> Any:
    """What the functional model takes: the source inputs of a given tensor, else the new one."""
    if input_tensor is None:
        return img_input
    sources = source_inputs(img_input)
    return sources[0] if len(sources) == 1 else sources


def classifier(x: KerasTensor, include_top: bool, pooling: str | None, classes: int,
               classifier_activation: Any, avg_name: str = "avg_pool",
               max_name: str = "max_pool", dense_name: str = "predictions") -> KerasTensor:
    """The head most families share: global pooling and a Dense classifier, or only pooling."""
    if pooling not in (None, "avg", "max"):
        raise ValueError("`pooling` should be None, 'avg' or 'max'. "
                         f"Received: pooling={pooling!r}")
    if include_top:
        x = layers.GlobalAveragePooling2D(name=avg_name)(x)
        check_classifier_activation(classifier_activation)
        return layers.Dense(classes, activation=classifier_activation, name=dense_name)(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def check_classifier_activation(activation: Any) -> None:
    """Resolves the activation now, so a bad name fails naming the argument."""
    from keraslite import activations

    try:
        activations.get(activation)
    except (ValueError, TypeError) as error:
        raise ValueError(f"Invalid `classifier_activation`: {error}") from None


def check_pooling(pooling: Any) -> None:
    if pooling not in (None, "avg", "max"):
        raise ValueError("`pooling` should be None, 'avg' or 'max'. "
                         f"Received: pooling={pooling!r}")


def correct_pad(x: KerasTensor, kernel_size: int | tuple) -> tuple:
    """Zero padding that makes a "valid" stride-2 convolution match TensorFlow's "same"
    (one pixel less at the top/left when the size is even), as the published weights expect."""
    axes = (2, 3) if config.image_data_format() == "channels_first" else (1, 2)
    size = tuple(x.shape[a] for a in axes)
    kernel = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel[0] // 2, kernel[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """``value`` rounded to a multiple of ``divisor``, never more than 10% below it."""
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded
