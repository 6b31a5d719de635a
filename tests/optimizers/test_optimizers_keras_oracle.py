"""New optimizers, EMA, gradient accumulation, loss scaling and schedules against Keras 3."""
import os

import numpy as np
import pytest

from keraslite import backend, optimizers
from keraslite.optimizers import schedules
from keraslite.variables import Variable

STEPS = 20
RNG = np.random.default_rng(1)
INIT = [RNG.normal(size=(3, 4)).astype(np.float32), RNG.normal(size=(4,)).astype(np.float32)]
GRADS = [[RNG.normal(size=w.shape).astype(np.float32) for w in INIT] for _ in range(STEPS)]


def _keras():
    os.environ["KERAS_BACKEND"] = "jax"
    return pytest.importorskip("keras")


def make_vars():
    out = []
    for i, w in enumerate(INIT):
        v = Variable(w.copy(), name=f"w{i}")
        v.path = f"dense/w{i}"
        out.append(v)
    return out


def run_ours(opt, grads_seq=GRADS):
    variables = make_vars()
    for grads in grads_seq:
        opt.apply([backend.convert_to_tensor(g) for g in grads], variables)
    return variables


def run_keras(kopt, grads_seq=GRADS):
    keras = _keras()
    kvars = [keras.Variable(w.copy()) for w in INIT]
    for grads in grads_seq:
        kopt.apply(grads, kvars)
    return kvars


def assert_close(ours, theirs, atol=1e-5):
    for o, k in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(o.numpy()), np.asarray(k.numpy()), atol=atol, rtol=1e-5)


CASES = [
    ("Adamax", dict(learning_rate=0.02)),
    ("Adamax", dict(learning_rate=0.01, beta_1=0.8, beta_2=0.9)),
    ("Nadam", dict(learning_rate=0.01)),
    ("Nadam", dict(learning_rate=0.02, beta_1=0.8, weight_decay=0.01)),
    ("Adadelta", dict(learning_rate=1.0)),
    ("Adadelta", dict(learning_rate=0.5, rho=0.9)),
    ("Lion", dict(learning_rate=0.01)),
    ("Lion", dict(learning_rate=0.01, beta_1=0.5, beta_2=0.9)),
    ("Ftrl", dict(learning_rate=0.1)),
    ("Ftrl", dict(learning_rate=0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.02,
                  l2_shrinkage_regularization_strength=0.01, beta=0.5, learning_rate_power=-0.7)),
    ("Adam", dict(learning_rate=0.01, use_ema=True)),
    ("SGD", dict(learning_rate=0.1, momentum=0.5, use_ema=True, ema_momentum=0.9,
                 ema_overwrite_frequency=3)),
    ("Adam", dict(learning_rate=0.01, gradient_accumulation_steps=3)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9, gradient_accumulation_steps=2, clipnorm=0.5)),
    ("Nadam", dict(learning_rate=0.01, gradient_accumulation_steps=4, use_ema=True)),
    ("Adam", dict(learning_rate=0.01, loss_scale_factor=8.0)),
]


@pytest.mark.parametrize("cls_name,kwargs", CASES)
def test_trajectory_matches_keras(cls_name, kwargs):
    keras = _keras()
    kvars = run_keras(getattr(keras.optimizers, cls_name)(**kwargs))
    assert_close(run_ours(getattr(optimizers, cls_name)(**kwargs)), kvars)


SCHEDULES = [
    ("PiecewiseConstantDecay", dict(boundaries=[3, 8], values=[0.1, 0.05, 0.01])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=7, power=2.0)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=6, end_learning_rate=0.01, cycle=True)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=10, warmup_target=0.1, warmup_steps=5,
                         alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=12)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=4)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=3, t_mul=1.0, m_mul=0.5,
                                 alpha=0.05)),
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5, staircase=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5)),
]


@pytest.mark.parametrize("cls_name,kwargs", SCHEDULES)
def test_schedules_match_keras(cls_name, kwargs):
    keras = _keras()
    ks = getattr(keras.optimizers.schedules, cls_name)(**kwargs)
    ours = getattr(schedules, cls_name)(**kwargs)
    for step in range(0, 30):
        np.testing.assert_allclose(float(backend.convert_to_numpy(ours(step))), float(ks(step)),
                                   atol=1e-6, rtol=1e-5, err_msg=f"step {step}")
    again = schedules.deserialize(schedules.serialize(ours))
    np.testing.assert_allclose(float(backend.convert_to_numpy(again(17))), float(ks(17)), atol=1e-6)
    # inside an optimizer: the trajectory follows the schedule
    kvars = run_keras(keras.optimizers.SGD(learning_rate=ks))
    assert_close(run_ours(optimizers.SGD(learning_rate=ours)), kvars)


def test_ema_finalize_swaps_in_average():
    keras = _keras()
    kopt = keras.optimizers.Adam(0.05, use_ema=True, ema_momentum=0.8)
    kvars = run_keras(kopt)
    kopt.finalize_variable_values(kvars)
    opt = optimizers.Adam(0.05, use_ema=True, ema_momentum=0.8)
    ours = run_ours(opt)
    before = [v.numpy().copy() for v in ours]
    opt.finalize_variable_values(ours)
    assert_close(ours, kvars)
    assert not np.allclose(before[0], ours[0].numpy())
    assert len(opt.variables) == 2 + 2 * 2 + 2  # iteration, lr, 2 slots x 2 vars, 2 averages


def test_gradient_accumulation_counts_real_steps():
    opt = optimizers.SGD(0.1, gradient_accumulation_steps=4)
    variables = run_ours(opt, GRADS[:10])
    assert int(backend.convert_to_numpy(opt.iterations)) == 2
    assert int(opt._iterations.numpy()) == 10
    # two real updates with the mean of each group of four gradients
    expected = [w.astype(np.float64) for w in INIT]
    for start in (0, 4):
        for i in range(2):
            expected[i] = expected[i] - 0.1 * np.mean([GRADS[t][i] for t in range(start, start + 4)], axis=0)
    for v, e in zip(variables, expected):
        np.testing.assert_allclose(v.numpy(), e, atol=1e-5)


def _compiled(fn):
    if backend.backend() == "jax":
        import jax

        return jax.jit(fn)
    import tensorflow as tf

    return tf.function(fn)


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(0.01, gradient_accumulation_steps=3, use_ema=True, ema_overwrite_frequency=4),
    lambda: optimizers.Nadam(0.01),
    lambda: optimizers.LossScaleOptimizer(optimizers.Ftrl(0.1), initial_scale=4.0, dynamic_growth_steps=3),
])
def test_compiled_step_matches_eager(make):
    eager_opt = make()
    eager = run_ours(eager_opt)
    opt = make()
    variables = make_vars()
    opt.build(variables)
    step = _compiled(lambda ov, g, p: opt.stateless_apply(ov, g, p))
    params, ovalues = [v.value for v in variables], [v.value for v in opt.variables]
    for grads in GRADS:
        params, ovalues = step(ovalues, [backend.convert_to_tensor(g) for g in grads], params)
    for p, e in zip(params, eager):
        np.testing.assert_allclose(backend.convert_to_numpy(p), e.numpy(), atol=1e-6)
    for o, e in zip(ovalues, eager_opt.variables):
        np.testing.assert_allclose(backend.convert_to_numpy(o), e.numpy(), atol=1e-6)
    np.testing.assert_array_equal(variables[0].numpy(), INIT[0])


def _with_nonfinite(seq, bad_steps):
    out = []
    for t, grads in enumerate(seq):
        grads = [g * 16.0 for g in grads]  # as if the loss had been scaled by 16
        if t in bad_steps:
            grads = [grads[0].copy(), grads[1]]
            grads[0][0, 0] = np.inf if t % 2 else np.nan
        out.append(grads)
    return out


def test_loss_scale_optimizer_skips_and_rescales():
    """Reference: Keras 3 Adam fed only the finite steps' gradients, unscaled by the scale that a
    dynamic loss scale (halve on inf/NaN, double after ``growth`` finite steps) has at each step."""
    keras = _keras()
    seq = _with_nonfinite(GRADS, bad_steps={2, 3, 11})
    scale, counter, growth, kept = 16.0, 0, 4, []
    for grads in seq:
        if all(np.isfinite(g).all() for g in grads):
            kept.append([g / scale for g in grads])
            counter += 1
            if counter >= growth:
                scale, counter = scale * 2, 0
        else:
            scale, counter = scale / 2, 0
    kvars = run_keras(keras.optimizers.Adam(0.01), kept)
    opt = optimizers.LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=16.0, dynamic_growth_steps=growth)
    ours = run_ours(opt, seq)
    assert_close(ours, kvars)
    assert float(opt.dynamic_scale.numpy()) == scale
    assert int(opt.iterations.numpy()) == STEPS - 3
    assert float(backend.convert_to_numpy(opt.scale_loss(backend.convert_to_tensor(2.0)))) == 2.0 * scale


def test_loss_scale_optimizer_config_and_errors():
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(0.3), initial_scale=8.0)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again, optimizers.LossScaleOptimizer)
    assert isinstance(again.inner_optimizer, optimizers.SGD) and again.initial_scale == 8.0
    assert float(again.learning_rate.numpy()) == pytest.approx(0.3)
    with pytest.raises(TypeError, match="inner_optimizer"):
        optimizers.LossScaleOptimizer("sgd")
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.SGD(gradient_accumulation_steps=0)


@pytest.mark.parametrize("name,cls", [("adamax", "Adamax"), ("nadam", "Nadam"), ("adadelta", "Adadelta"),
                                      ("lion", "Lion"), ("ftrl", "Ftrl")])
def test_get_by_name_defaults_and_config(name, cls):
    keras = _keras()
    opt = optimizers.get(name)
    assert type(opt).__name__ == cls
    kconfig = getattr(keras.optimizers, cls)().get_config()
    config = opt.get_config()
    for key, value in kconfig.items():
        if key in config and key != "name" and not isinstance(value, (dict, list)):
            assert config[key] == pytest.approx(value), key
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is type(opt)


def test_slot_names_like_keras():
    opt = optimizers.Ftrl()
    opt.build(make_vars())
    assert opt.slot_names == ("accumulator", "linear")
    np.testing.assert_allclose(opt._slots["accumulator"][0].numpy(), 0.1)
    assert optimizers.Adadelta().slot_names == ("accumulated_grad", "accumulated_delta_var")
    assert optimizers.Adamax().slot_names == ("momentum", "norm")
