"""Lamb, Adafactor, Muon and ScheduleFreeAdamW: trajectories against Keras 3 (oracle), a NumPy
reference for Muon's orthogonalization, and the compiled (stateless) step against the eager one."""
import os

import numpy as np
import pytest

from keraslite import backend, optimizers
from keraslite.optimizers.muon import orthogonalize
from keraslite.variables import Variable

STEPS = 12
RNG = np.random.default_rng(7)
INIT = [RNG.normal(size=(5, 3)).astype(np.float32), RNG.normal(size=(3,)).astype(np.float32),
        RNG.normal(size=(2, 3, 4)).astype(np.float32)]
GRADS = [[RNG.normal(size=w.shape).astype(np.float32) for w in INIT] for _ in range(STEPS)]


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def make_vars():
    out = []
    for i, w in enumerate(INIT):
        v = Variable(w.copy(), name=f"w{i}")
        v.path = f"dense/w{i}"
        out.append(v)
    return out


CASES = [
    ("Lamb", dict(learning_rate=0.01)),
    ("Lamb", dict(learning_rate=0.02, beta_1=0.8, weight_decay=0.01)),
    ("Adafactor", dict(learning_rate=0.05)),
    ("Adafactor", dict(learning_rate=0.5, beta_2_decay=-0.5, clip_threshold=0.5,
                       relative_step=False)),
    ("Muon", dict(learning_rate=0.01)),
    ("Muon", dict(learning_rate=0.02, nesterov=False, rms_rate=None, adam_lr_ratio=0.5,
                  weight_decay=0.01, adam_weight_decay=0.0)),
    ("ScheduleFreeAdamW", dict(learning_rate=0.01)),
    ("ScheduleFreeAdamW", dict(learning_rate=0.02, warmup_steps=5, beta_1=0.8,
                               weight_decay=0.01)),
]
SCHEDULE_FREE = [kwargs for name, kwargs in CASES if name == "ScheduleFreeAdamW"]


@pytest.mark.parametrize("cls_name,kwargs", CASES)
def test_trajectory_matches_keras(cls_name, kwargs):
    keras = _keras()
    if cls_name == "ScheduleFreeAdamW" and keras.backend.backend() != "jax":
        # Keras 3.15 on TensorFlow reads z after updating it (its `.value` aliases the
        # variable), so its result differs from its own JAX backend; NumPy checks this case.
        return _check_schedule_free_numpy(kwargs)
    kvars = [keras.Variable(w.copy()) for w in INIT]
    theirs = getattr(keras.optimizers, cls_name)(**kwargs)
    ours, variables = getattr(optimizers, cls_name)(**kwargs), make_vars()
    for grads in GRADS:
        theirs.apply(grads, kvars)
        ours.apply([backend.convert_to_tensor(g) for g in grads], variables)
    for o, k in zip(variables, kvars):
        np.testing.assert_allclose(np.asarray(o.numpy()), np.asarray(k.numpy()), rtol=1e-4,
                                   atol=2e-5)
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()


def _check_schedule_free_numpy(kwargs):
    lr, b1, b2, eps = kwargs.get("learning_rate"), kwargs.get("beta_1", 0.9), 0.999, 1e-8
    warmup, wd = kwargs.get("warmup_steps", 0), kwargs.get("weight_decay") or 0.0
    ys = [w.copy() for w in INIT]
    zs = [w.copy() for w in INIT]
    vs = [np.zeros_like(w) for w in INIT]
    for t, grads in enumerate(GRADS, start=1):
        rate = lr * (min(t / warmup, 1.0) if warmup else 1.0)
        for i, g in enumerate(grads):
            ys[i] = ys[i] - ys[i] * wd * lr  # decoupled decay first, at the base rate
            vs[i] = vs[i] + (g * g - vs[i]) * (1 - b2)
            z_new = zs[i] - rate * g / (np.sqrt(vs[i] / (1 - b2 ** t)) + eps)
            x_old = (ys[i] - (1 - b1) * zs[i]) / b1
            x_new = (1 - 1 / t) * x_old + z_new / t
            ys[i], zs[i] = (1 - b1) * z_new + b1 * x_new, z_new
    opt, variables = optimizers.ScheduleFreeAdamW(**kwargs), make_vars()
    for grads in GRADS:
        opt.apply([backend.convert_to_tensor(g) for g in grads], variables)
    for o, y in zip(variables, ys):
        np.testing.assert_allclose(o.numpy(), y, rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("kwargs", SCHEDULE_FREE)
def test_schedule_free_matches_numpy(kwargs):
    _check_schedule_free_numpy(kwargs)


def test_muon_orthogonalizes_like_numpy_newton_schulz():
    x = RNG.normal(size=(6, 4)).astype(np.float32)
    y = x.T / (np.linalg.norm(x) + 1e-7)
    for _ in range(5):
        gram = y @ y.T
        y = 3.4445 * y + (-4.7750 * gram + 2.0315 * gram @ gram) @ y
    ours = np.asarray(backend.convert_to_numpy(orthogonalize(backend.convert_to_tensor(x), 5,
                                                             3.4445, -4.7750, 2.0315)))
    np.testing.assert_allclose(ours, y.T, rtol=1e-4, atol=1e-5)
    # The iteration drives every singular value towards 1 (roughly: into [0.5, 1.5]).
    singular = np.linalg.svd(ours, compute_uv=False)
    assert singular.min() > 0.5 and singular.max() < 1.5


def test_muon_routes_embeddings_and_excluded_layers_to_adamw():
    opt = optimizers.Muon(exclude_layers=["head"])
    kinds = {}
    for path, shape in (("dense/kernel", (3, 4)), ("dense/bias", (4,)),
                        ("token_embedding/embeddings", (9, 4)), ("head/kernel", (4, 2))):
        v = Variable(np.zeros(shape, np.float32), name=path.split("/")[-1])
        v.path = path
        kinds[path] = opt.uses_adamw(v)
    assert kinds == {"dense/kernel": False, "dense/bias": True,
                     "token_embedding/embeddings": True, "head/kernel": True}


def _compiled(fn):
    if backend.backend() == "jax":
        import jax

        return jax.jit(fn)
    import tensorflow as tf

    return tf.function(fn)


@pytest.mark.parametrize("cls_name", ["Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW"])
def test_compiled_stateless_step_matches_eager(cls_name):
    eager_opt, eager_vars = getattr(optimizers, cls_name)(learning_rate=0.01), make_vars()
    traced_opt, traced_vars = getattr(optimizers, cls_name)(learning_rate=0.01), make_vars()
    traced_opt.build(traced_vars)
    step = _compiled(lambda opt_values, grads, values: traced_opt.stateless_apply(
        opt_values, grads, values))
    values = [v.value for v in traced_vars]
    opt_values = [v.value for v in traced_opt.variables]
    for grads in GRADS[:4]:
        grads = [backend.convert_to_tensor(g) for g in grads]
        eager_opt.apply(grads, eager_vars)
        values, opt_values = step(opt_values, grads, values)
    for o, e in zip(values, eager_vars):
        np.testing.assert_allclose(np.asarray(backend.convert_to_numpy(o)), e.numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_bad_arguments_and_names():
    with pytest.raises(ValueError, match="warmup_steps"):
        optimizers.ScheduleFreeAdamW(warmup_steps=-1)
    with pytest.raises(ValueError, match="ns_steps"):
        optimizers.Muon(ns_steps=1.5)
    for name in ("lamb", "Adafactor", "muon", "ScheduleFreeAdamW"):
        assert type(optimizers.get(name)).__name__.lower() == name.lower()
