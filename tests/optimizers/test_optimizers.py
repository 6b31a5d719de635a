import os

import numpy as np
import pytest

from keraslite import backend, optimizers
from keraslite.optimizers import schedules
from keraslite.variables import StatelessScope, Variable

STEPS = 20
RNG = np.random.default_rng(0)
INIT = [RNG.normal(size=(3, 4)).astype(np.float32), RNG.normal(size=(4,)).astype(np.float32)]
GRADS = [[RNG.normal(size=w.shape).astype(np.float32) for w in INIT] for _ in range(STEPS)]


# -- NumPy references (float64), written from the published update equations -------------------
def np_sgd(lr=0.01, momentum=0.0, nesterov=False):
    def step(p, g, s, t):
        if momentum == 0:
            return p - lr * g, s
        m = momentum * s.get("m", 0.0) - lr * g
        return (p + momentum * m - lr * g if nesterov else p + m), {"m": m}
    return step


def np_adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False):
    def step(p, g, s, t):
        m = s.get("m", 0.0) + (1 - b1) * (g - s.get("m", 0.0))
        v = s.get("v", 0.0) + (1 - b2) * (g * g - s.get("v", 0.0))
        vh = np.maximum(s.get("vh", 0.0), v) if amsgrad else v
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return p - alpha * m / (np.sqrt(vh) + eps), {"m": m, "v": v, "vh": vh}
    return step


def np_rmsprop(lr=0.001, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    def step(p, g, s, t):
        v = rho * s.get("v", 0.0) + (1 - rho) * g * g
        den = v
        a = None
        if centered:
            a = rho * s.get("a", 0.0) + (1 - rho) * g
            den = v - a * a
        inc = lr * g / np.sqrt(den + eps)
        m = momentum * s.get("m", 0.0) + inc
        return p - (m if momentum > 0 else inc), {"v": v, "a": a, "m": m}
    return step


def np_adagrad(lr=0.001, init=0.1, eps=1e-7):
    def step(p, g, s, t):
        acc = s.get("acc", init) + g * g
        return p - lr * g / np.sqrt(acc + eps), {"acc": acc}
    return step


def run_numpy(step_fn, weight_decay=None, lr=None):
    params = [w.astype(np.float64) for w in INIT]
    states = [{} for _ in params]
    for t in range(1, STEPS + 1):
        for i, g in enumerate(GRADS[t - 1]):
            if weight_decay:
                params[i] = params[i] - params[i] * weight_decay * lr
            params[i], states[i] = step_fn(params[i], g.astype(np.float64), states[i], t)
    return params


def make_vars():
    out = []
    for i, w in enumerate(INIT):
        v = Variable(w.copy(), name=f"w{i}")
        v.path = f"dense/w{i}"
        out.append(v)
    return out


def run_ours(opt):
    variables = make_vars()
    for grads in GRADS:
        opt.apply([backend.convert_to_tensor(g) for g in grads], variables)
    return [v.numpy() for v in variables]


CASES = [
    ("sgd", lambda: optimizers.SGD(0.1), np_sgd(0.1)),
    ("sgd_momentum", lambda: optimizers.SGD(0.05, momentum=0.9), np_sgd(0.05, 0.9)),
    ("sgd_nesterov", lambda: optimizers.SGD(0.05, momentum=0.8, nesterov=True), np_sgd(0.05, 0.8, True)),
    ("adam", lambda: optimizers.Adam(0.01), np_adam(0.01)),
    ("adam_amsgrad", lambda: optimizers.Adam(0.02, beta_1=0.8, amsgrad=True), np_adam(0.02, b1=0.8, amsgrad=True)),
    ("rmsprop", lambda: optimizers.RMSprop(0.01), np_rmsprop(0.01)),
    ("rmsprop_centered_momentum", lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
     np_rmsprop(0.01, momentum=0.5, centered=True)),
    ("adagrad", lambda: optimizers.Adagrad(0.1), np_adagrad(0.1)),
]


@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_trajectory_matches_numpy(name, make, ref):
    ours = run_ours(make())
    for o, r in zip(ours, run_numpy(ref)):
        np.testing.assert_allclose(o, r, atol=1e-5, rtol=1e-5)


def test_adamw_weight_decay_matches_numpy():
    ours = run_ours(optimizers.AdamW(0.01, weight_decay=0.1))
    for o, r in zip(ours, run_numpy(np_adam(0.01), weight_decay=0.1, lr=0.01)):
        np.testing.assert_allclose(o, r, atol=1e-5, rtol=1e-5)


def _keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


KERAS_CASES = [
    ("SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(learning_rate=0.1)),
    ("Adam", dict(learning_rate=0.01)),
    ("Adam", dict(learning_rate=0.01, amsgrad=True)),
    ("AdamW", dict(learning_rate=0.01, weight_decay=0.05)),
    ("RMSprop", dict(learning_rate=0.01, momentum=0.3, centered=True)),
    ("Adagrad", dict(learning_rate=0.1)),
    ("Adam", dict(learning_rate=0.01, clipnorm=0.5)),
    ("SGD", dict(learning_rate=0.1, global_clipnorm=1.0)),
    ("SGD", dict(learning_rate=0.1, clipvalue=0.3)),
]


@pytest.mark.parametrize("cls_name,kwargs", KERAS_CASES)
def test_trajectory_matches_keras(cls_name, kwargs):
    keras = _keras()
    kvars = [keras.Variable(w.copy()) for w in INIT]
    kopt = getattr(keras.optimizers, cls_name)(**kwargs)
    for grads in GRADS:
        kopt.apply(grads, kvars)
    ours = run_ours(getattr(optimizers, cls_name)(**kwargs))
    for o, k in zip(ours, kvars):
        np.testing.assert_allclose(o, np.asarray(k.numpy()), atol=1e-5, rtol=1e-5)


def test_variables_paths_and_order():
    opt = optimizers.Adam(name="adam")
    variables = make_vars()
    opt.build(variables)
    assert opt.built
    assert [v.path for v in opt.variables] == [
        "adam/iteration", "adam/learning_rate",
        "adam/dense_w0_momentum", "adam/dense_w1_momentum",
        "adam/dense_w0_velocity", "adam/dense_w1_velocity",
    ]
    assert all(not v.trainable for v in opt.variables)
    assert opt.iterations.dtype == "int64"
    assert opt.variables[1].dtype == "float32"
    plain = optimizers.SGD(0.1)
    plain.build(variables)
    assert len(plain.variables) == 2  # no momentum slots without momentum
    with_m = optimizers.SGD(0.1, momentum=0.9)
    with_m.build(variables)
    assert len(with_m.variables) == 4


def test_apply_builds_lazily_and_counts_iterations():
    opt = optimizers.SGD(0.5)
    v = make_vars()
    opt.apply_gradients(zip([np.ones_like(w) for w in INIT], v))
    assert opt.built and int(opt.iterations.numpy()) == 1
    np.testing.assert_allclose(v[1].numpy(), INIT[1] - 0.5, rtol=1e-6)
    opt.apply([np.ones_like(w) for w in INIT])  # variables from build
    assert int(opt.iterations.numpy()) == 2


def test_learning_rate_can_change_mid_training():
    opt = optimizers.SGD(0.1)
    v = make_vars()
    opt.apply([np.ones_like(w) for w in INIT], v)
    opt.learning_rate = 0.01
    assert float(opt.learning_rate.numpy()) == pytest.approx(0.01)
    opt.apply([np.ones_like(w) for w in INIT], v)
    np.testing.assert_allclose(v[1].numpy(), INIT[1] - 0.11, rtol=1e-5)
    opt.learning_rate.assign(0.5)
    assert opt.get_config()["learning_rate"] == pytest.approx(0.5)


def test_schedule_learning_rate():
    sched = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    opt = optimizers.SGD(sched)
    v = make_vars()
    for _ in range(4):
        opt.apply([np.ones_like(w) for w in INIT], v)
    expected = INIT[1] - sum(0.1 * 0.5 ** (t / 2) for t in range(4))
    np.testing.assert_allclose(v[1].numpy(), expected, rtol=1e-5)
    assert len(opt.variables) == 1  # iterations only
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        opt.learning_rate = 0.1
    config = opt.get_config()
    again = optimizers.SGD.from_config(config)
    assert isinstance(again._learning_rate, schedules.ExponentialDecay)
    stair = schedules.ExponentialDecay(1.0, 3, 0.5, staircase=True)
    np.testing.assert_allclose([float(backend.convert_to_numpy(stair(s))) for s in (0, 2, 3, 7)],
                               [1.0, 1.0, 0.5, 0.25], rtol=1e-6)
    cos = schedules.CosineDecay(1.0, 10, alpha=0.1)
    np.testing.assert_allclose(float(backend.convert_to_numpy(cos(5))), 0.1 + 0.9 * 0.5, rtol=1e-6)
    np.testing.assert_allclose(float(backend.convert_to_numpy(cos(20))), 0.1, rtol=1e-6)


def test_constraint_applied_after_update():
    from keraslite import constraints

    v = Variable(np.array([1.0, -1.0], np.float32), name="w")
    v.constraint = constraints.NonNeg()
    optimizers.SGD(1.0).apply([np.array([0.5, 0.5], np.float32)], [v])
    np.testing.assert_allclose(v.numpy(), [0.5, 0.0])


def _apply_in_scope(opt, variables, grads_seq):
    """Runs each step under a StatelessScope: values in, scope.current(v) out."""
    state = {id(v): v.value for v in variables + opt.variables}
    everything = variables + opt.variables
    for grads in grads_seq:
        with StatelessScope([(v, state[id(v)]) for v in everything]) as scope:
            opt.apply(grads, variables)
        state = {id(v): scope.current(v) for v in everything}
    return [backend.convert_to_numpy(state[id(v)]) for v in variables], state


def test_apply_in_stateless_scope_leaves_variables_untouched():
    opt = optimizers.Adam(0.01)
    variables = make_vars()
    opt.build(variables)
    out, state = _apply_in_scope(opt, variables, GRADS)
    for o, r in zip(out, run_numpy(np_adam(0.01))):
        np.testing.assert_allclose(o, r, atol=1e-5, rtol=1e-5)
    for v, w in zip(variables, INIT):
        np.testing.assert_array_equal(v.numpy(), w)
    assert int(opt.iterations.numpy()) == 0
    assert int(backend.convert_to_numpy(state[id(opt.iterations)])) == STEPS


@pytest.mark.parametrize("make,ref", [(lambda: optimizers.Adam(0.01), np_adam(0.01)),
                                      (lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                                       np_sgd(0.05, 0.9, True))])
def test_compiled_pure_step(make, ref):
    """Runs stateless_apply inside jax.jit / tf.function for 20 steps."""
    opt = make()
    variables = make_vars()
    opt.build(variables)

    def step(opt_values, grads, params):
        return opt.stateless_apply(opt_values, grads, params)

    if backend.backend() == "jax":
        import jax

        compiled = jax.jit(step)
    else:
        import tensorflow as tf

        compiled = tf.function(step)
    params = [v.value for v in variables]
    opt_values = [v.value for v in opt.variables]
    for grads in GRADS:
        params, opt_values = compiled(opt_values, [backend.convert_to_tensor(g) for g in grads], params)
    for o, r in zip(params, run_numpy(ref)):
        np.testing.assert_allclose(backend.convert_to_numpy(o), r, atol=1e-5, rtol=1e-5)
    assert int(backend.convert_to_numpy(opt_values[0])) == STEPS
    np.testing.assert_array_equal(variables[0].numpy(), INIT[0])


def test_get_and_config_round_trip():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    opt = optimizers.Adam(0.003, beta_1=0.8, clipnorm=1.0)
    assert optimizers.get(opt) is opt
    again = optimizers.get(optimizers.serialize(opt))
    assert isinstance(again, optimizers.Adam)
    assert again.beta_1 == 0.8 and again.clipnorm == 1.0
    assert float(again.learning_rate.numpy()) == pytest.approx(0.003)


def test_bad_inputs():
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'.*adam"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match="2 gradients for 1 variables"):
        opt.apply([np.ones(2), np.ones(2)], [Variable(np.ones(2, np.float32))])
    with pytest.raises(ValueError, match="not built"):
        optimizers.SGD().apply([np.ones(2)])
    with pytest.raises(ValueError, match="at most one"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    opt.build([Variable(np.ones(2, np.float32), name="known")])
    other = Variable(np.ones(2, np.float32), name="other")
    with pytest.raises(ValueError, match="does not know"):
        opt.apply([np.ones(2, np.float32)], [other])
