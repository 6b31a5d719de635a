"""keraslite.distribution: DataParallel / ModelParallel on simulated CPU devices (JAX), two
processes joined over loopback, and DataParallel under MirroredStrategy (TensorFlow).

The sharded checks run in one subprocess with 4 CPU devices (sharded_checks.py), since JAX fixes
its device count at start-up; single-device training in that same process is the reference.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from keraslite import distribution as dist
from keraslite import config

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
jax_only = pytest.mark.skipif(config.backend() != "jax",
                              reason="sharded training runs on the jax backend only")


def _run(args, timeout=900):
    env = dict(os.environ, KERASLITE_BACKEND="jax", PYTHONPATH=str(ROOT))
    env.pop("XLA_FLAGS", None)
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def sharded():
    proc = _run([str(HERE / "sharded_checks.py")])
    lines = [l for l in proc.stdout.splitlines() if l.startswith("DISTRIBUTION_RESULTS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1].split(" ", 1)[1])


@jax_only
def test_data_parallel_matches_one_device(sharded):
    dp = sharded["dp"]
    assert sharded["devices"] == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]
    assert dp["max_weight_diff"] <= 1e-5
    assert dp["history_diff"] <= 1e-5
    assert dp["eval_diff"] <= 1e-5 and dp["pred_diff"] <= 1e-5
    # Weights replicated on all four devices; the batch inside the step split over "batch".
    assert dp["kernel_devices"] == 4 and dp["kernel_spec"] in ("P()", "P(None, None)")
    assert "P('batch',)" in dp["batch_specs"]
    assert "batch_size=6" in dp["uneven_batch_error"] and "4 devices" in dp["uneven_batch_error"]


@jax_only
def test_model_parallel_kernels_sharded_from_creation(sharded):
    mp = sharded["mp"]
    assert mp["max_weight_diff"] <= 1e-5 and mp["pred_diff"] <= 1e-5
    assert mp["created_spec"] == "P(None, 'model')"  # sharded when created, not after
    assert mp["hidden_spec"] == "P(None, 'model')"
    assert mp["conv_spec"] == "P(None, None, None, 'model')"
    assert mp["out_spec"] in ("P()", "P(None, None)")  # no key matches: replicated
    assert mp["slot_spec"] == "P(None, 'model')"  # optimizer slots follow their weight


@jax_only
def test_sharded_model_saves_loads_and_relays(sharded):
    mp = sharded["mp"]
    assert mp["loaded_pred_diff"] <= 1e-6  # gathered to the host, loaded on one device
    assert mp["relaid_pred_diff"] <= 1e-6  # loaded under a 1x4 mesh instead of 2x2
    assert mp["relaid_spec"] == "P(None, 'model')" and mp["relaid_devices"] == 4
    assert sharded["backup_max_diff"] == 0.0  # BackupAndRestore resumes bit-identically


@jax_only
def test_bad_layouts_are_clear_errors(sharded):
    errors = sharded["errors"]
    assert "no axis 'data'" in errors["axis_missing"]
    assert "needs 8 devices" in errors["mesh_too_big"] and "4 are present" in errors[
        "mesh_too_big"]
    assert "needs 2 devices; 4 were given" in errors["devices_mismatch"]
    assert "'gpu:7'" in errors["unknown_device"]
    assert "'hiden.*kernel' matches no variable" in errors["regex_matches_nothing"]
    assert "size 3" in errors["uneven_kernel"] and "'out/kernel'" in errors["uneven_kernel"]


def test_two_processes_over_loopback_end_identical(tmp_path):
    """jax.distributed (2 processes x 2 CPU devices) or TensorFlow's MultiWorkerMirroredStrategy
    (2 workers), by the session's backend."""
    proc = _run([str(ROOT / "examples" / "distributed_data_parallel.py"), "--quick",
                 "--out", str(tmp_path), "--backend", config.backend()])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "identical weights in every process: True" in proc.stdout
    assert ("devices=4" if config.backend() == "jax" else "devices=") in proc.stdout
    per_process = []
    for i in range(2):
        with np.load(tmp_path / f"weights_{i}.npz", allow_pickle=False) as f:
            per_process.append([f[k] for k in sorted(f.files, key=lambda n: int(n[4:]))])
    for a, b in zip(*per_process):
        np.testing.assert_array_equal(a, b)
    # The same training on this process's one device: the reference.
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import distributed_data_parallel as example
    finally:
        sys.path.pop(0)
    model, _ = example._train(256, distributed=False)
    for a, b in zip(model.get_weights(), per_process[0]):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_layout_map_matches_by_regular_expression():
    mesh = dist.DeviceMesh((1,), ("model",), dist.list_devices()[:1])
    layout_map = dist.LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "model")
    layout_map["conv/bias"] = dist.TensorLayout(("model",))
    assert layout_map["layers/dense_1/kernel"].axes == (None, "model")
    assert layout_map["conv/bias"].axes == ("model",)
    assert layout_map["layers/dense_1/bias"] is None
    assert layout_map["conv/bias"].device_mesh is mesh
    layout_map["kernel"] = (None, None)
    with pytest.raises(ValueError, match="more than one key"):
        layout_map["dense/kernel"]
    with pytest.raises(ValueError, match="already has a layout"):
        layout_map["kernel"] = (None, None)
    with pytest.raises(ValueError, match="not a valid regular expression"):
        layout_map["(unclosed"] = (None,)
    with pytest.raises(TypeError, match="tuple of mesh axis names"):
        layout_map["x"] = "model"
    assert len(layout_map) == 3 and set(layout_map) == {"dense.*kernel", "conv/bias", "kernel"}


def test_argument_checks():
    with pytest.raises(ValueError, match="shape must be a tuple of positive integers"):
        dist.DeviceMesh((0,), ("batch",))
    with pytest.raises(ValueError, match="one string per axis"):
        dist.DeviceMesh((1,), ("a", "b"))
    with pytest.raises(ValueError, match="a mesh axis may split one dimension only"):
        dist.TensorLayout(("model", "model"))
    with pytest.raises(TypeError, match="expected a DataParallel or ModelParallel"):
        dist.set_distribution("data")
    with pytest.raises(ValueError, match="job_addresses"):
        dist.initialize(None, 2, 0)
    with pytest.raises(ValueError, match="needs a port"):
        dist.initialize("localhost", 2, 0)
    with pytest.raises(ValueError, match="process_id must be in"):
        dist.initialize("127.0.0.1:1234", 2, 2)
    assert dist.distribution() is None
    assert dist.get_device_count() == len(dist.list_devices()) >= 1


tf_only = pytest.mark.skipif(config.backend() != "tensorflow",
                             reason="MirroredStrategy runs on the tensorflow backend only")


@tf_only
def test_tensorflow_data_parallel_under_mirrored_strategy():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(HERE / "mirrored_checks.py")], env=env,
                          capture_output=True, text=True, timeout=900, cwd=ROOT)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("DISTRIBUTION_RESULTS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    r = json.loads(lines[-1].split(" ", 1)[1])
    assert r["devices"] == ["cpu:0", "cpu:1"]
    # Two replicas, each on half of every batch (the last batch of 1 runs whole): the same
    # weights, history (metrics summed over replicas), evaluation and predictions as one device.
    assert r["max_weight_diff"] <= 1e-5
    assert r["history_diff"] <= 1e-5 and r["eval_diff"] <= 1e-5 and r["pred_diff"] <= 1e-5
    assert "batch_size=5" in r["uneven_batch_error"] and "2 devices" in r["uneven_batch_error"]
    assert r["bn_moving_mean_finite"] and r["bn_moving_mean_moved"] > 0
    assert "not supported on the tensorflow backend" in r["model_parallel_error"]


@tf_only
def test_tensorflow_several_hosts_need_every_address():
    with pytest.raises(ValueError, match="lists every worker's 'host:port'"):
        dist.initialize("127.0.0.1:1234", 2, 0)


def test_one_device_data_parallel_trains_like_no_distribution():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 4)).astype("float32")
    y = rng.standard_normal((32, 1)).astype("float32")

    def fit():
        keraslite.utils.set_random_seed(5)
        model = keraslite.Sequential([keraslite.Input((4,)), keraslite.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return model.get_weights()

    plain = fit()
    dist.set_distribution(dist.DataParallel())
    try:
        distributed = fit()
    finally:
        dist.set_distribution(None)
    for a, b in zip(plain, distributed):
        np.testing.assert_allclose(a, b, atol=1e-6)
