"""examples/transfer_learning.py runs end to end (``--quick``) under the current backend: every
stage runs, the head is what stage 1 trains, fine-tuning unfreezes backbone layers, and the test
accuracy printed is the one the script's own model reaches (a probability)."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

import keraslite

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = REPO / "examples" / "transfer_learning.py"


@pytest.mark.slow
def test_transfer_learning_example_runs_quick():
    pytest.importorskip("sklearn")
    env = dict(os.environ)
    env["KERASLITE_BACKEND"] = keraslite.backend.backend()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = subprocess.run([sys.executable, str(SCRIPT), "--quick"], cwd=REPO, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"exited {result.returncode}:\n{output[-4000:]}"
    stage1 = re.search(r"stage 1: (\d+) trainable weights", result.stdout)
    stage2 = re.search(r"stage 2: (\d+) backbone layers unfrozen, (\d+) trainable", result.stdout)
    assert stage1 and stage2, output[-4000:]
    # Stage 1 trains the new head only: LayerNormalization (2) and Dense (2).
    assert int(stage1.group(1)) == 4
    assert int(stage2.group(1)) > 0 and int(stage2.group(2)) > int(stage1.group(1))
    accuracy = re.search(r"^test accuracy: ([0-9.]+)$", result.stdout, re.M)
    assert accuracy, output[-4000:]
    assert 0.0 <= float(accuracy.group(1)) <= 1.0


def test_an_unknown_family_is_named(capsys):
    # In-process with the current backend: the script checks --family before any data or model.
    spec = importlib.util.spec_from_file_location("transfer_learning_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(SystemExit) as error:
        module.main(["--family", "NoSuchNet", "--quick"])
    message = str(error.value)
    assert "NoSuchNet" in message
    assert all(name in message for name in ("ResNet50", "MobileNetV2", "VGG16", "AlexNet"))
    # A lowercase module of keraslite.applications is not a family.
    with pytest.raises(SystemExit, match="'vgg16'"):
        module.main(["--family", "vgg16", "--quick"])
