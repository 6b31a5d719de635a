"""MixUp: the mixing against Keras 3 (oracle) for the same draws; the Beta draws by their
moments; seeded reproducibility and invariants of the mixed batch."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from keraslite.layers.preprocessing.mix_up import beta
from keraslite.random import SeedGenerator
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(17)
IMAGES = RNG.uniform(0, 255, (5, 4, 4, 3)).astype(np.float32)
LABELS = np.eye(5, dtype=np.float32)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def test_mixing_matches_keras_for_the_same_draws():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    draws = {"mix_weight": RNG.uniform(0, 1, 5).astype(np.float32),
             "permutation_order": np.array([3, 0, 4, 1, 2])}
    ours = layers.MixUp()
    theirs = keras.layers.MixUp()
    mine = {k: backend.convert_to_tensor(v) for k, v in draws.items()}
    np.testing.assert_allclose(num(ours.transform_images(backend.convert_to_tensor(IMAGES), mine)),
                               np.asarray(oracle(theirs.transform_images, IMAGES, draws)),
                               rtol=1e-5)
    np.testing.assert_allclose(num(ours.transform_labels(LABELS, mine)),
                               np.asarray(oracle(theirs.transform_labels, LABELS, draws)),
                               rtol=1e-5)


@pytest.mark.parametrize("alpha", [0.2, 2.0])
def test_beta_draws_have_the_beta_moments(alpha):
    samples = num(beta(20000, alpha, SeedGenerator(5)))
    assert samples.min() >= 0.0 and samples.max() <= 1.0
    assert abs(samples.mean() - 0.5) < 0.01
    np.testing.assert_allclose(samples.var(), 1 / (4 * (2 * alpha + 1)), rtol=0.05)


def test_mixed_batch_invariants_and_seeding():
    a = layers.MixUp(alpha=0.5, seed=9)({"images": IMAGES, "labels": LABELS})
    b = layers.MixUp(alpha=0.5, seed=9)({"images": IMAGES, "labels": LABELS})
    np.testing.assert_allclose(num(a["images"]), num(b["images"]))
    labels = num(a["labels"])
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-6)  # still distributions
    # Each mixed image is w * own + (1 - w) * partner, with w read off the labels.
    own = labels[np.arange(5), np.arange(5)]
    partner = np.argmax(labels - np.diag(own), axis=1)
    expected = own[:, None, None, None] * IMAGES + (1 - own[:, None, None, None]) * IMAGES[
        partner]
    same = np.isclose(own, 1.0)  # mixed with itself: nothing to read
    np.testing.assert_allclose(num(a["images"])[~same], expected[~same], rtol=1e-4, atol=1e-3)
    np.testing.assert_array_equal(num(layers.MixUp()(IMAGES, training=False)), IMAGES)


def test_in_a_model_config_and_bad_input():
    inputs = keraslite.Input((4, 4, 3))
    model = keraslite.Model(inputs, layers.MixUp(seed=1)(inputs))
    np.testing.assert_allclose(model.predict(IMAGES, verbose=0), IMAGES, rtol=1e-6)
    again = layers.MixUp.from_config(layers.MixUp(alpha=0.4, seed=2).get_config())
    assert again.alpha == 0.4 and again.seed == 2
    with pytest.raises(ValueError, match="alpha"):
        layers.MixUp(alpha=0)
    with pytest.raises(ValueError, match="rank 4"):
        layers.MixUp()(IMAGES[0], training=True)


def test_cut_mix_matches_keras_for_the_same_box():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    box = tuple(backend.convert_to_tensor(v) for v in (
        np.array([0.0, 1.2, 2.5, 0.0, 1.0], np.float32), np.array([2.0, 3.0, 4.0, 0.5, 3.9],
                                                                   np.float32),
        np.array([1.0, 0.0, 0.3, 2.0, 0.0], np.float32), np.array([3.5, 2.0, 4.0, 4.0, 1.0],
                                                                   np.float32)))
    ours = layers.CutMix()
    order = np.array([2, 3, 0, 4, 1], np.int32)
    weight = RNG.uniform(0, 1, 5).astype(np.float32)
    mine = {"permutation_order": backend.convert_to_tensor(order), "box": box,
            "mix_weight": backend.convert_to_tensor(weight)}
    masks = np.repeat(num(ours._mask(backend.convert_to_tensor(IMAGES), box)), 3, axis=-1)
    theirs = keras.layers.CutMix()
    draws = {"permutation_order": order, "batch_masks": masks, "mix_weight": weight}
    np.testing.assert_allclose(num(ours.transform_images(backend.convert_to_tensor(IMAGES),
                                                         mine)),
                               np.asarray(oracle(theirs.transform_images, IMAGES, draws)))
    np.testing.assert_allclose(num(ours.transform_labels(LABELS, mine)),
                               np.asarray(oracle(theirs.transform_labels, LABELS, draws)),
                               rtol=1e-6)


def test_cut_mix_pastes_boxes_and_weighs_labels_by_area():
    big = RNG.uniform(0, 255, (8, 10, 10, 3)).astype(np.float32)
    out = layers.CutMix(seed=4)({"images": big, "labels": np.eye(8, dtype=np.float32)})
    images, labels = num(out["images"]), num(out["labels"])
    again = layers.CutMix(seed=4)({"images": big, "labels": np.eye(8, dtype=np.float32)})
    np.testing.assert_allclose(num(again["images"]), images)
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-6)
    for i in range(8):
        changed = ~np.all(np.isclose(images[i], big[i]), axis=-1)
        if not changed.any():
            continue
        partner = int(np.argmax(labels[i] - np.eye(8)[i] * labels[i, i]))
        np.testing.assert_allclose(images[i][changed], big[partner][changed])
        rows, cols = np.nonzero(changed)  # the pasted pixels form one box
        assert changed[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()
        assert abs(labels[i, i] - (1 - changed.mean())) < 0.25  # box edges are fractional
    assert layers.CutMix.from_config(layers.CutMix(factor=0.5).get_config()).factor == (0.0, 0.5)
