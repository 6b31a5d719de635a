"""The 8x8 handwritten digits bundled with scikit-learn (1,797 images, 10 classes, no download).

A stand-in for MNIST that loads instantly and trains in seconds, with the same return format
as ``keras.datasets.mnist.load_data()``.
"""
from __future__ import annotations

import numpy as np

NUM_CLASSES = 10
IMAGE_SHAPE = (8, 8)
_MAX_PIXEL = 16.0  # scikit-learn's digits use integer intensities 0..16


def load_data(test_fraction: float = 0.2, seed: int = 0, normalize: bool = True):
    """Loads scikit-learn's 8x8 digits and splits them into train and test sets.

    The split is deterministic for a given ``seed`` and stratified: every class keeps the same
    share of test images.

    Args:
        test_fraction: Share of images held out for the test set, in ``[0, 1)``.
        seed: Seed of the shuffle that picks the split (the same seed gives the same split).
        normalize: If True (default), images are float32 in ``[0, 1]``. If False, they are the
            raw float32 intensities ``0..16``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images shaped ``(n, 8, 8)`` float32 (add a
        channel axis with ``x[..., None]`` for ``Conv2D``, or flatten to ``(n, 64)`` for
        ``Dense``), and labels shaped ``(n,)`` int64 in ``0..9``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = keraslite.datasets.digits()
        >>> x_train.shape, y_train.shape, x_test.shape
        ((1438, 8, 8), (1438,), (359, 8, 8))
    """
    if not 0.0 <= float(test_fraction) < 1.0:
        raise ValueError(
            f"test_fraction must be in [0, 1). Received: test_fraction={test_fraction!r}"
        )
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise ImportError(
            "keraslite.datasets.digits() reads the digits bundled with scikit-learn, which is "
            "not installed. Install it with `pip install scikit-learn` (or "
            "`pip install keraslite[test]`)."
        ) from err

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype="float32")
    if normalize:
        images = images / _MAX_PIXEL
    labels = np.asarray(bunch.target, dtype="int64")

    rng = np.random.RandomState(seed)
    train_idx, test_idx = [], []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        rng.shuffle(members)
        n_test = int(round(len(members) * float(test_fraction)))
        test_idx.append(members[:n_test])
        train_idx.append(members[n_test:])
    train_idx = np.concatenate(train_idx)
    test_idx = np.concatenate(test_idx)
    # Interleave classes so the first batches are not all one digit.
    rng.shuffle(train_idx)
    rng.shuffle(test_idx)

    return (images[train_idx], labels[train_idx]), (images[test_idx], labels[test_idx])
