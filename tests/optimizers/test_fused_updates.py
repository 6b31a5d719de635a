"""Large variables' updates run together in one compiled region (``Optimizer._updates``; on
TensorFlow without XLA one XLA cluster instead of one kernel per op): the same weights as the
per-variable updates, for every optimizer, with large and small variables mixed."""
import numpy as np
import pytest

import keraslite as keras
from keraslite.optimizers import optimizer as optimizer_module

RNG = np.random.default_rng(7)
X = RNG.normal(size=(24, 6)).astype("float32")
Y = RNG.normal(size=(24, 2)).astype("float32")
INIT = [RNG.normal(size=(6, 5)).astype("float32") * 0.3, np.zeros(5, "float32"),
        RNG.normal(size=(5, 2)).astype("float32") * 0.3, np.zeros(2, "float32")]

OPTIMIZERS = {
    "sgd_nesterov": lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: keras.optimizers.AdamW(0.01, weight_decay=0.1),
    "rmsprop_centered": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adagrad": lambda: keras.optimizers.Adagrad(0.05),
    "adadelta": lambda: keras.optimizers.Adadelta(1.0),
    "adamax": lambda: keras.optimizers.Adamax(0.01),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
    "lion": lambda: keras.optimizers.Lion(0.001),
    "ftrl": lambda: keras.optimizers.Ftrl(0.05, l1_regularization_strength=0.01),
    "lamb": lambda: keras.optimizers.Lamb(0.01),
    "adafactor": lambda: keras.optimizers.Adafactor(0.05),
    "clipped_adam": lambda: keras.optimizers.Adam(0.01, global_clipnorm=0.5),
}


def _train(make, min_size, monkeypatch):
    monkeypatch.setattr(optimizer_module, "FUSED_UPDATE_MIN_SIZE", min_size)
    regions = []
    original = optimizer_module.B_compile.compiled_region

    def counting(fn):
        run = original(fn)

        def counted(args):
            regions.append(len(args))
            return run(args)

        return counted

    monkeypatch.setattr(optimizer_module.B_compile, "compiled_region", counting)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="tanh"),
                              keras.layers.Dense(2)])
    model.set_weights(INIT)
    # A graph without XLA on TensorFlow: where the compiled region changes how updates run.
    model.compile(optimizer=make(), loss="mse", jit_compile=False)
    model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model.get_weights(), len(regions)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fused_updates_match_per_variable_updates(name, monkeypatch):
    make = OPTIMIZERS[name]
    plain, plain_regions = _train(make, 1 << 62, monkeypatch)
    # 10 elements: the two kernels (30 and 10) are fused, the biases (5 and 2) are not.
    mixed, mixed_regions = _train(make, 10, monkeypatch)
    fused, fused_regions = _train(make, 0, monkeypatch)
    assert plain_regions == 0 and mixed_regions > 0 and fused_regions > 0
    assert not np.allclose(plain[0], INIT[0])
    for got_mixed, got_fused, want in zip(mixed, fused, plain):
        np.testing.assert_allclose(got_mixed, want, rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(got_fused, want, rtol=2e-5, atol=1e-6)
