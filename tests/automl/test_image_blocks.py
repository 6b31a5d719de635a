"""Image and preprocessing blocks of keraslite.automl, built with their default
hyperparameters and checked against NumPy (no search runs here)."""
import numpy as np
import pytest

import keraslite
from keraslite import automl as ak
from keraslite.tuner import HyperParameters


def _model(block, shape, stats=None):
    hp = HyperParameters()
    inputs = keraslite.Input(shape=shape)
    if stats is not None:
        block.stats = stats
    with hp.name_scope(block.name or "block"):
        return keraslite.Model(inputs, block.build(hp, [inputs])), hp


@pytest.mark.parametrize("kind, reference", [
    ("flatten", lambda x: x.reshape(len(x), -1)),
    ("global_avg", lambda x: x.mean(axis=(1, 2))),
    ("global_max", lambda x: x.max(axis=(1, 2))),
])
def test_spatial_reduction(kind, reference):
    x = np.random.default_rng(0).normal(size=(3, 4, 5, 2)).astype("float32")
    model, _ = _model(ak.SpatialReduction(kind, name="reduce"), (4, 5, 2))
    np.testing.assert_allclose(model.predict(x, verbose=0), reference(x), rtol=1e-6)
    searched, hp = _model(ak.SpatialReduction(name="reduce"), (4, 5, 2))
    assert hp.values == {"reduce/reduction_type": "global_avg"}  # the documented default


def test_normalization_uses_the_input_statistics():
    x = np.random.default_rng(1).normal(3.0, 2.0, size=(6, 4, 4, 3)).astype("float32")
    mean, variance = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    model, _ = _model(ak.Normalization(name="norm"), (4, 4, 3), (mean, variance))
    np.testing.assert_allclose(model.predict(x, verbose=0), (x - mean) / np.sqrt(variance),
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="called directly on an input node"):
        _model(ak.Normalization(name="norm"), (4, 4, 3))


def test_image_augmentation_changes_training_batches_only():
    x = np.random.default_rng(2).uniform(0, 16, size=(4, 8, 8, 1)).astype("float32")
    block = ak.ImageAugmentation(horizontal_flip=True, rotation_factor=0, zoom_factor=0,
                                 contrast_factor=0.2, name="augment")
    model, hp = _model(block, (8, 8, 1))
    kinds = [type(layer).__name__ for layer in model.layers[1:]]
    assert kinds == ["RandomFlip", "RandomContrast"]  # a factor of 0 adds no layer
    np.testing.assert_array_equal(keraslite.ops.convert_to_numpy(model(x, training=False)), x)
    trained = keraslite.ops.convert_to_numpy(model(x, training=True))
    assert trained.shape == x.shape and not np.allclose(trained, x)
    _, defaults = _model(ak.ImageAugmentation(name="augment"), (8, 8, 1))
    assert defaults.values == {"augment/horizontal_flip": False, "augment/vertical_flip": False,
                               "augment/rotation_factor": 0.0, "augment/zoom_factor": 0.0,
                               "augment/contrast_factor": 0.0}


@pytest.mark.parametrize("block, size", [(ak.ResNetBlock, 32), (ak.XceptionBlock, 71)])
def test_application_blocks_resize_small_images_up(block, size):
    model, hp = _model(block(name="app"), (8, 8, 1))
    resized = [layer for layer in model.layers if isinstance(layer, keraslite.layers.Resizing)]
    assert [(r.height, r.width) for r in resized] == [(size, size)]
    assert len(model.outputs[0].shape) == 4  # headless: a feature map


def test_image_block_default_is_a_normalized_conv_block():
    x = np.random.default_rng(3).normal(size=(2, 8, 8, 1)).astype("float32")
    block = ak.ImageBlock(name="image")
    model, hp = _model(block, (8, 8, 1), (x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))))
    assert hp.values["image/block_type"] == "vanilla" and hp.values["image/normalize"]
    assert any(isinstance(layer, keraslite.layers.Normalization) for layer in model.layers)
    assert hp.values["image/conv_block/filters_0"] == 32
    with pytest.raises(ValueError, match="block_type must be one of"):
        ak.ImageBlock(block_type="vgg")


@pytest.mark.parametrize("size, searched", [(8, ["vanilla"]), (32, ["vanilla", "resnet"]),
                                            (71, ["vanilla", "resnet", "xception"])])
def test_image_block_searches_application_blocks_only_for_images_big_enough(size, searched):
    hp = HyperParameters()
    inputs = keraslite.Input(shape=(size, size, 1))
    with hp.name_scope("image"):
        ak.ImageBlock(name="image", normalize=False).build(hp, [inputs])
    (entry,) = [e for e in hp.space if e.name == "image/block_type"]
    assert list(entry.config["values"]) == searched


def test_argument_checks():
    with pytest.raises(ValueError, match="tuner must be"):
        ak.ImageClassifier(tuner="grid")
    with pytest.raises(ValueError, match="max_model_size must be a positive"):
        ak.ImageClassifier(max_model_size=0)
    with pytest.raises(ValueError, match="version must be one of"):
        ak.EfficientNetBlock(version="b9")


def test_efficientnet_block_without_the_application_module_says_so(monkeypatch):
    import sys

    import keraslite.applications

    # As if keraslite had no such module: neither imported nor importable.
    monkeypatch.delattr(keraslite.applications, "efficientnet", raising=False)
    monkeypatch.setitem(sys.modules, "keraslite.applications.efficientnet", None)
    with pytest.raises(ValueError, match="EfficientNetBlock needs keraslite.applications"):
        _model(ak.EfficientNetBlock(name="app"), (8, 8, 1))
