"""Image blocks: networks from keraslite.applications, spatial reductions, and ImageBlock.

=================  ============================================================================
ResNetBlock        ``version`` resnet50|resnet50_v2 (resnet50)
XceptionBlock      no hyperparameters (Xception's layout is fixed)
EfficientNetBlock  ``version`` b0|b1|b2 (b0)
Flatten            none
SpatialReduction   ``reduction_type`` flatten|global_avg|global_max (global_avg)
ImageBlock         ``block_type`` vanilla|resnet|xception (vanilla; the search tries resnet and
                   xception only for images at least 32x32 and 71x71), ``normalize`` (True),
                   ``augment`` (False); then the chosen block's own space under
                   ``conv_block/``, ``res_net_block/`` or ``xception_block/``, and the
                   augmentation's under ``image_augmentation/``
=================  ============================================================================

The application blocks are headless (``include_top=False``) and randomly initialised, unless
``weights`` names a local weight file (Keras's ``*_notop.h5`` layout), which is then loaded:
nothing is downloaded during a search. Images smaller than the family's minimum input (32x32
for ResNet and EfficientNet, 71x71 for Xception) are resized up inside the block, so 8x8
digits work; grey images are repeated to three channels when pretrained weights need them.
"""
from __future__ import annotations

from typing import Any, Optional

from keraslite import layers
from keraslite.automl.blocks import ConvBlock, _boolean, _choice, _single
from keraslite.automl.nodes import Block
from keraslite.automl.preprocessing_blocks import ImageAugmentation, Normalization


def _images(block: Block, inputs: list) -> Any:
    x = _single(block, inputs)
    if len(x.shape) != 4:
        raise ValueError(f"{block.name} takes images (batch, height, width, channels); "
                         f"received a tensor of shape {tuple(x.shape)}.")
    return x


class _ApplicationBlock(Block):
    """Runs a headless keraslite.applications network on the block's images."""

    min_size = 32
    versions: dict = {}
    default_version = ""

    def __init__(self, version: Optional[str] = None, weights: Optional[str] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name)
        if version is not None and version not in self.versions:
            raise ValueError(f"{type(self).__name__}: version must be one of "
                             f"{sorted(self.versions)}. Received: {version!r}")
        if weights is not None and not isinstance(weights, str):
            raise TypeError(f"{type(self).__name__}: weights must be the path of a local weight "
                            f"file or None. Received: {type(weights).__name__}")
        self.version, self.weights = version, weights


    def build(self, hp: Any, inputs: list) -> Any:
        x = _images(self, inputs)
        versions = sorted(self.versions)
        version = (self.version if self.version is not None or len(versions) == 1
                   else hp.Choice("version", versions, default=self.default_version))
        version = version or versions[0]
        height, width, channels = (int(d) for d in x.shape[1:])
        if height < self.min_size or width < self.min_size:
            height, width = max(height, self.min_size), max(width, self.min_size)
            x = layers.Resizing(height, width)(x)
        if self.weights is not None and channels == 1:
            x = layers.Concatenate()([x, x, x])  # ImageNet weights expect colour images
            channels = 3
        network = self.versions[version]()(include_top=False, weights=self.weights,
                                             input_shape=(height, width, channels))
        return network(x)


def _application(name: str) -> Any:  # looked up when built: applications import late
    from keraslite import applications

    return getattr(applications, name)


class ResNetBlock(_ApplicationBlock):
    """ResNet50 or ResNet50V2 from keraslite.applications (headless)."""

    versions = {"resnet50": lambda: _application("ResNet50"),
                "resnet50_v2": lambda: _application("ResNet50V2")}
    default_version = "resnet50"


class XceptionBlock(_ApplicationBlock):
    """Xception from keraslite.applications (headless; images resized up to 71x71)."""

    min_size = 71
    versions = {"xception": lambda: _application("Xception")}
    default_version = "xception"


def _efficientnet(variant: str) -> Any:
    try:  # imported when a trial builds it, so automl works where it is absent
        from keraslite.applications import efficientnet
    except ImportError as error:
        raise ValueError("EfficientNetBlock needs keraslite.applications.efficientnet, which "
                         f"this keraslite does not have ({error}). Use ResNetBlock or "
                         "XceptionBlock.") from None
    return getattr(efficientnet, f"EfficientNet{variant.upper()}")


class EfficientNetBlock(_ApplicationBlock):
    """EfficientNetB0..B2 from keraslite.applications.efficientnet (headless)."""

    versions = {v: (lambda v=v: _efficientnet(v)) for v in ("b0", "b1", "b2")}
    default_version = "b0"


class Flatten(Block):
    """Flattens its input to (batch, features)."""

    def build(self, hp: Any, inputs: list) -> Any:
        x = _single(self, inputs)
        return layers.Flatten()(x) if len(x.shape) > 2 else x


class SpatialReduction(Block):
    """Reduces (batch, height, width, channels) to (batch, features)."""

    def __init__(self, reduction_type: Optional[str] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        if reduction_type not in (None, "flatten", "global_avg", "global_max"):
            raise ValueError("reduction_type must be 'flatten', 'global_avg' or 'global_max'. "
                             f"Received: {reduction_type!r}")
        self.reduction_type = reduction_type

    def build(self, hp: Any, inputs: list) -> Any:
        x = _images(self, inputs)
        kind = _choice(hp, "reduction_type", self.reduction_type,
                       ["flatten", "global_avg", "global_max"], "global_avg")
        if kind == "flatten":
            return layers.Flatten()(x)
        if kind == "global_avg":
            return layers.GlobalAveragePooling2D()(x)
        return layers.GlobalMaxPooling2D()(x)


class ImageBlock(Block):
    """AutoKeras's image block: optional normalization and augmentation, then a searched
    choice among a plain ConvBlock, a ResNetBlock and an XceptionBlock."""

    normalizes_input = True  # the graph hands it the statistics of the input it is called on
    block_types = ("vanilla", "resnet", "xception")

    def __init__(self, block_type: Optional[str] = None, normalize: Optional[bool] = None,
                 augment: Optional[bool] = None, name: Optional[str] = None) -> None:
        super().__init__(name)
        if block_type is not None and block_type not in self.block_types:
            raise ValueError(f"block_type must be one of {list(self.block_types)}. "
                             f"Received: {block_type!r}")
        self.block_type, self.normalize, self.augment = block_type, normalize, augment
        self.stats: Optional[tuple] = None

    def build(self, hp: Any, inputs: list) -> Any:
        x = _images(self, inputs)
        # Each branch's hyperparameters exist only in the trials that take it (no conditional
        # scope: their names stay plain, so hand-picked configurations can name them).
        if _boolean(hp, "normalize", self.normalize, True):
            normalization = Normalization(name="normalization")
            normalization.stats = self.stats
            x = normalization.build(hp, [x])
        if _boolean(hp, "augment", self.augment, False):
            with hp.name_scope("image_augmentation"):
                x = ImageAugmentation(name="image_augmentation").build(hp, [x])
        # The search leaves out application blocks whose minimum input is larger than the
        # images: upsampling 8x8 digits to 71x71 for an Xception trained from scratch costs
        # many minutes per trial on a CPU for no gain. Naming block_type still builds them.
        height, width = (int(d) for d in x.shape[1:3])
        smallest = {"resnet": ResNetBlock.min_size, "xception": XceptionBlock.min_size}
        choices = [k for k in self.block_types
                   if k == "vanilla" or min(height, width) >= smallest[k]]
        kind = _choice(hp, "block_type", self.block_type, choices, "vanilla")
        block = {"vanilla": lambda: ConvBlock(name="conv_block"),
                 "resnet": lambda: ResNetBlock(name="res_net_block"),
                 "xception": lambda: XceptionBlock(name="xception_block")}[kind]()
        with hp.name_scope(block.name):
            return block.build(hp, [x])
