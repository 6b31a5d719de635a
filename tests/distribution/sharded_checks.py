"""Runs in its own process with 4 simulated CPU devices (JAX): the distribution checks of
test_distribution.py, printed as one JSON line. A separate process because the device count is
fixed when jax starts."""
from __future__ import annotations

import json
import os
import sys
import tempfile

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
os.environ["KERASLITE_BACKEND"] = "jax"

import jax  # noqa: E402  (only for reading shardings back from arrays)
import numpy as np  # noqa: E402

import keraslite  # noqa: E402
from keraslite import distribution as dist  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.standard_normal((64, 6, 6, 2)).astype("float32")
Y = RNG.integers(0, 3, 64).astype("int32")
results: dict = {}


class BatchShardingProbe(keraslite.layers.Layer):
    """Identity that records how XLA's partitioner lays out its input inside the step."""
    seen: list = []

    def call(self, inputs):
        jax.debug.inspect_array_sharding(
            inputs, callback=lambda s: BatchShardingProbe.seen.append(str(s.spec)))
        return inputs


def make_model(probe=False):
    keraslite.utils.set_random_seed(3)
    layers = [keraslite.Input((6, 6, 2))]
    if probe:
        layers.append(BatchShardingProbe())
    layers += [keraslite.layers.Conv2D(4, 3, activation="relu", name="conv"),
               keraslite.layers.Flatten(),
               keraslite.layers.Dense(8, activation="relu", name="hidden"),
               keraslite.layers.Dense(3, activation="softmax", name="out")]
    model = keraslite.Sequential(layers)
    model.compile(optimizer=keraslite.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def max_diff(a, b):
    return float(max(np.abs(x - y).max() for x, y in zip(a.get_weights(), b.get_weights())))


def spec(variable):
    return str(variable.value.sharding.spec)


def error_of(fn):
    try:
        fn()
    except (ValueError, TypeError) as error:
        return f"{type(error).__name__}: {error}"
    return None


single = make_model()
single_history = single.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
single_eval = single.evaluate(X, Y, batch_size=16, verbose=0)
single_pred = single.predict(X, batch_size=16, verbose=0)
results["devices"] = dist.list_devices()

# -- DataParallel --------------------------------------------------------------------------
with dist.DataParallel().scope():
    dp = make_model(probe=True)
    dp_history = dp.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    results["dp"] = {
        "max_weight_diff": max_diff(single, dp),
        "history_diff": max(abs(a - b) for k in single_history
                            for a, b in zip(single_history[k], dp_history[k])),
        "eval_diff": float(np.max(np.abs(np.subtract(dp.evaluate(X, Y, batch_size=16,
                                                                 verbose=0), single_eval)))),
        "pred_diff": float(np.abs(dp.predict(X, batch_size=16, verbose=0) - single_pred).max()),
        "kernel_spec": spec(dp.get_layer("hidden").kernel),
        "kernel_devices": len(dp.get_layer("hidden").kernel.value.sharding.device_set),
        "batch_specs": sorted(set(BatchShardingProbe.seen)),
        "uneven_batch_error": error_of(lambda: dp.fit(X, Y, batch_size=6, verbose=0)),
    }

# -- ModelParallel: Dense and Conv kernels split over "model" ---------------------------------
mesh = dist.DeviceMesh((2, 2), ("batch", "model"))
layout_map = dist.LayoutMap(mesh)
layout_map["hidden.*kernel"] = (None, "model")
layout_map["conv.*kernel"] = (None, None, None, "model")
with dist.ModelParallel(layout_map=layout_map, batch_dim_name="batch").scope():
    mp = make_model()
    created_spec = spec(mp.get_layer("hidden").kernel)
    mp.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    slot_var = mp.optimizer.variables[[v.path for v in mp.optimizer.variables].index(
        next(v.path for v in mp.optimizer.variables if "hidden" in v.path and "kernel" in v.path))]
    results["mp"] = {
        "max_weight_diff": max_diff(single, mp),
        "pred_diff": float(np.abs(mp.predict(X, batch_size=16, verbose=0) - single_pred).max()),
        "created_spec": created_spec,
        "hidden_spec": spec(mp.get_layer("hidden").kernel),
        "conv_spec": spec(mp.get_layer("conv").kernel),
        "out_spec": spec(mp.get_layer("out").kernel),
        "slot_spec": spec(slot_var),
    }
    # Saving gathers the shards; loading works on one device and under another layout.
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "sharded.keraslite")
    mp.save(path)
    weights_path = os.path.join(folder, "sharded.weights.safetensors")
    mp.save_weights(weights_path)
mp_pred = mp.predict(X, batch_size=16, verbose=0)
loaded = keraslite.models.load_model(path)
results["mp"]["loaded_pred_diff"] = float(np.abs(loaded.predict(X, verbose=0) - mp_pred).max())
other_mesh = dist.DeviceMesh((1, 4), ("batch", "model"))
other_map = dist.LayoutMap(other_mesh)
other_map["hidden.*kernel"] = (None, "model")
with dist.ModelParallel(layout_map=other_map).scope():
    relaid = make_model()
    relaid.load_weights(weights_path)
    results["mp"]["relaid_pred_diff"] = float(np.abs(relaid.predict(X, verbose=0)
                                                     - mp_pred).max())
    relaid.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    results["mp"]["relaid_spec"] = spec(relaid.get_layer("hidden").kernel)
    results["mp"]["relaid_devices"] = len(relaid.get_layer("hidden").kernel.value.sharding
                                          .device_set)


# -- BackupAndRestore resumes a sharded fit bit-identically ------------------------------------
class StopAt(keraslite.callbacks.Callback):
    def __init__(self, stop):
        super().__init__()
        self.stop = stop

    def on_epoch_end(self, epoch, logs=None):
        if self.stop and epoch == 1:
            raise RuntimeError("interrupted")


with dist.DataParallel().scope():
    backup = tempfile.mkdtemp()
    whole = make_model()
    whole.fit(X, Y, batch_size=16, epochs=4, verbose=0)
    resumed = make_model()
    try:
        resumed.fit(X, Y, batch_size=16, epochs=4, verbose=0,
                    callbacks=[keraslite.callbacks.BackupAndRestore(backup), StopAt(True)])
    except RuntimeError:
        pass
    resumed = make_model()
    resumed.fit(X, Y, batch_size=16, epochs=4, verbose=0,
                callbacks=[keraslite.callbacks.BackupAndRestore(backup), StopAt(False)])
    results["backup_max_diff"] = max_diff(whole, resumed)

# -- bad input, each before any compilation -----------------------------------------------------
results["errors"] = {
    "axis_missing": error_of(lambda: dist.LayoutMap(mesh).__setitem__("dense", ("data", None))),
    "mesh_too_big": error_of(lambda: dist.DeviceMesh((8,), ("batch",))),
    "devices_mismatch": error_of(lambda: dist.DeviceMesh((2,), ("batch",),
                                                         dist.list_devices())),
    "unknown_device": error_of(lambda: dist.DeviceMesh((1,), ("batch",), ["gpu:7"])),
}
typo_map = dist.LayoutMap(mesh)
typo_map["hiden.*kernel"] = (None, "model")
with dist.ModelParallel(layout_map=typo_map).scope():
    results["errors"]["regex_matches_nothing"] = error_of(
        lambda: make_model().fit(X, Y, batch_size=16, epochs=1, verbose=0))
odd_map = dist.LayoutMap(dist.DeviceMesh((1, 4), ("batch", "model")))
odd_map["out.*kernel"] = (None, "model")  # 3 classes do not split over 4 devices
with dist.ModelParallel(layout_map=odd_map).scope():
    results["errors"]["uneven_kernel"] = error_of(make_model)
print("DISTRIBUTION_RESULTS " + json.dumps(results), flush=True)
sys.exit(0)
