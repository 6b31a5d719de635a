"""examples/transfer_learning.py runs end to end (``--quick``) in-process with the current
backend: every stage runs, stage 1 trains the new head only, fine-tuning unfreezes backbone
layers, and the test accuracy printed is that of the model the script trained."""
import importlib.util
import pathlib
import re

import pytest

import keraslite

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "examples" / "transfer_learning.py"


def _example():
    spec = importlib.util.spec_from_file_location("transfer_learning_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_transfer_learning_example_runs_quick(capsys):
    pytest.importorskip("sklearn")
    example = _example()
    assert example.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert f"backend: {keraslite.backend.backend()}" in out
    stage1 = re.search(r"stage 1: (\d+) trainable weights", out)
    stage2 = re.search(r"stage 2: (\d+) backbone layers unfrozen, (\d+) trainable", out)
    assert stage1 and stage2, out[-4000:]
    # Stage 1 trains the new head only: LayerNormalization (2) and Dense (2).
    assert int(stage1.group(1)) == 4
    # Stage 2 adds the unfrozen layers' kernels (and biases), never a BatchNormalization.
    assert int(stage2.group(1)) > 0 and int(stage2.group(2)) > int(stage1.group(1))
    accuracy = re.search(r"^test accuracy: ([0-9.]+)$", out, re.M)
    assert accuracy, out[-4000:]
    assert 0.0 <= float(accuracy.group(1)) <= 1.0


def test_unfreeze_top_leaves_batch_normalization_frozen():
    example = _example()
    inputs = keraslite.Input((8, 8, 3))
    x = keraslite.layers.Conv2D(4, 3, name="c1")(inputs)
    x = keraslite.layers.BatchNormalization(name="bn1")(x)
    x = keraslite.layers.Conv2D(4, 3, name="c2")(x)
    x = keraslite.layers.BatchNormalization(name="bn2")(x)
    backbone = keraslite.Model(inputs, keraslite.layers.ReLU(name="relu")(x))
    backbone.trainable = False
    # The last three layers with weights are bn1, c2, bn2: only c2 learns.
    assert example.unfreeze_top(backbone, 3) == 1
    assert {layer.name for layer in backbone.layers if layer.trainable and layer.weights} == {
        "c2"}
    assert len(backbone.trainable_weights) == 2


def test_an_unknown_family_is_named():
    # The script checks --family before it prepares any data or model.
    example = _example()
    with pytest.raises(SystemExit) as error:
        example.main(["--family", "NoSuchNet", "--quick"])
    message = str(error.value)
    assert "NoSuchNet" in message
    assert all(name in message for name in ("ResNet50", "MobileNetV2", "VGG16", "AlexNet"))
    # A lowercase module of keraslite.applications is not a family.
    with pytest.raises(SystemExit, match="'vgg16'"):
        example.main(["--family", "vgg16", "--quick"])
