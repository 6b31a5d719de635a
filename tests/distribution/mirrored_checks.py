"""Runs in its own process with 2 logical CPU devices (TensorFlow): DataParallel under
MirroredStrategy against one-device training, printed as one JSON line. A separate process
because TensorFlow fixes its logical devices when its runtime starts."""
from __future__ import annotations

import json
import os
import sys

os.environ["KERASLITE_BACKEND"] = "tensorflow"
import tensorflow as tf  # noqa: E402  (logical devices must be set before the runtime starts)

_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(_cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import numpy as np  # noqa: E402

import keraslite  # noqa: E402
from keraslite import distribution as dist  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.standard_normal((65, 6, 6, 2)).astype("float32")  # 65: the last batch of 1 runs whole
Y = RNG.integers(0, 3, 65).astype("int32")
results: dict = {"devices": dist.list_devices()}


def make_model(batch_norm=False):
    keraslite.utils.set_random_seed(3)
    layers = [keraslite.Input((6, 6, 2)), keraslite.layers.Conv2D(4, 3, activation="relu"),
              keraslite.layers.Flatten(), keraslite.layers.Dense(8, activation="relu")]
    if batch_norm:
        layers.append(keraslite.layers.BatchNormalization())
    layers.append(keraslite.layers.Dense(3, activation="softmax"))
    model = keraslite.Sequential(layers)
    model.compile(optimizer=keraslite.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit(model):
    return model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history


single = make_model()
single_history = fit(single)
with dist.DataParallel().scope():
    mirrored = make_model()
    mirrored_history = fit(mirrored)
    results["max_weight_diff"] = float(max(np.abs(a - b).max() for a, b in
                                           zip(single.get_weights(), mirrored.get_weights())))
    results["history_diff"] = max(abs(a - b) for k in single_history
                                  for a, b in zip(single_history[k], mirrored_history[k]))
    results["eval_diff"] = float(np.max(np.abs(np.subtract(
        mirrored.evaluate(X, Y, batch_size=16, verbose=0),
        single.evaluate(X, Y, batch_size=16, verbose=0)))))
    results["pred_diff"] = float(np.abs(mirrored.predict(X, verbose=0)
                                        - single.predict(X, verbose=0)).max())
    try:
        mirrored.fit(X, Y, batch_size=5, verbose=0)
        results["uneven_batch_error"] = None
    except ValueError as error:
        results["uneven_batch_error"] = str(error)
    with_bn = make_model(batch_norm=True)
    fit(with_bn)
    bn = with_bn.layers[-2]
    results["bn_moving_mean_finite"] = bool(np.isfinite(bn.moving_mean.numpy()).all())
    results["bn_moving_mean_moved"] = float(np.abs(bn.moving_mean.numpy()).max())
try:
    dist.ModelParallel(layout_map=dist.LayoutMap(dist.DeviceMesh((2,), ("batch",))))
    results["model_parallel_error"] = None
except ValueError as error:
    results["model_parallel_error"] = str(error)
print("DISTRIBUTION_RESULTS " + json.dumps(results), flush=True)
sys.exit(0)
