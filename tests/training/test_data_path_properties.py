"""Property-based test of the data path (issue 10): random shapes, dtypes (int64/uint64 beyond
int32, bool, float16, float64 beyond float32), NaN placement, ragged and mixed structures for
fit/evaluate/predict. Every input either works with the result NumPy computes, or raises a
ValueError/TypeError naming the input.

The suite runs a short, derandomized search; the long run is one command (docs/hardening.md):

    KERASLITE_HYPOTHESIS_EXAMPLES=2000 KERASLITE_BACKEND=jax \
        python -m pytest -q -n 0 tests/training/test_data_path_properties.py
"""
import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import keraslite  # noqa: E402
from keraslite import layers  # noqa: E402
from keraslite.training.fit_loop import NonFiniteLossError  # noqa: E402

FEATURES = 3
EXAMPLES = int(os.environ.get("KERASLITE_HYPOTHESIS_EXAMPLES", "8"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                   suppress_health_check=list(HealthCheck), database=None)
DTYPES = ["float32", "float64", "float16", "int32", "int64", "uint64", "uint8", "bool"]
F32_MAX = float(np.finfo(np.float32).max)


@pytest.fixture(scope="module")
def model():
    # One model for the whole module: the weights stay fixed for predict/evaluate and are
    # reset after each fit, so examples only compile for new shapes and dtypes.
    keraslite.utils.set_random_seed(0)
    m = keraslite.Sequential([keraslite.Input((FEATURES,)), layers.Dense(2)])
    m.compile(optimizer=keraslite.optimizers.SGD(0.01), loss="mse")
    m.initial = m.get_weights()
    return m


@st.composite
def arrays(draw):
    n = draw(st.integers(1, 6))
    dtype = draw(st.sampled_from(DTYPES))
    shape = (n, FEATURES)
    if dtype == "bool":
        x = np.array(draw(st.lists(st.booleans(), min_size=n * FEATURES,
                                   max_size=n * FEATURES))).reshape(shape)
    elif dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        wide = dtype in ("int64", "uint64") and draw(st.booleans())
        low, high = (info.min, info.max) if wide else (max(info.min, -50), min(info.max, 50))
        values = draw(st.lists(st.integers(int(low), int(high)), min_size=n * FEATURES,
                               max_size=n * FEATURES))
        x = np.array(values, dtype=dtype).reshape(shape)
    else:
        values = draw(st.lists(st.floats(-3, 3, width=16 if dtype == "float16" else 32),
                               min_size=n * FEATURES, max_size=n * FEATURES))
        x = np.array(values, dtype=dtype).reshape(shape)
        special = draw(st.sampled_from([None, None, np.nan, np.inf, 1e300]))
        if special is not None and not (special == 1e300 and dtype != "float64"):
            where = draw(st.tuples(st.integers(0, n - 1), st.integers(0, FEATURES - 1)))
            x[where] = special
    return x


def expected_error(x):
    """The error class the data path must raise for ``x``, or None if it must work."""
    if x.dtype.kind == "f":
        if not np.isfinite(x).all():
            return ValueError
        if x.dtype == np.float64 and (np.abs(x) > F32_MAX).any():
            return ValueError
    return None


def numpy_predict(model, x):
    kernel, bias = model.get_weights()
    return x.astype(np.float32).astype(np.float64) @ kernel + bias


def assert_names_input(error, names=("x", "input")):
    message = str(error)
    assert any(name in message for name in names), message
    assert len(message) < 800 and "array([" not in message and "[[" not in message


@PROFILE
@given(x=arrays(), method=st.sampled_from(["predict", "evaluate", "fit"]),
       batch_size=st.integers(1, 4))
def test_arrays_work_or_name_the_input(model, x, method, batch_size):
    error = expected_error(x)
    y = np.linspace(-1, 1, len(x) * 2, dtype=np.float32).reshape(len(x), 2)
    model.set_weights(model.initial)
    if error is not None:
        with pytest.raises(error) as raised:
            if method == "predict":
                model.predict(x, batch_size=batch_size, verbose=0)
            elif method == "evaluate":
                model.evaluate(x, y, batch_size=batch_size, verbose=0)
            else:
                model.fit(x, y, batch_size=batch_size, verbose=0)
        assert_names_input(raised.value)
        assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), model.initial))
        return
    reference = numpy_predict(model, x)
    # The loss in float32, the dtype the model computes in: features near 1e19 (uint64) convert
    # to floats fine, but their squared error overflows to inf, as in any float32 model.
    with np.errstate(over="ignore"):
        expected_loss = np.mean(np.square(reference.astype(np.float32) - y), dtype=np.float32)
    if not np.isfinite(expected_loss) and method == "fit":
        with pytest.raises(NonFiniteLossError):
            model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
        return
    rtol = 1e-4 if np.abs(reference).max() < 1e6 else 1e-3
    if method == "predict":
        np.testing.assert_allclose(model.predict(x, batch_size=batch_size, verbose=0),
                                   reference, rtol=rtol, atol=1e-4)
    elif method == "evaluate":
        loss = model.evaluate(x, y, batch_size=len(x), verbose=0)
        np.testing.assert_allclose(loss, expected_loss, rtol=rtol, atol=1e-4)
    else:
        history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
        # The loss logged for a single-batch epoch is the loss at the initial weights.
        np.testing.assert_allclose(history.history["loss"][0], expected_loss, rtol=rtol,
                                   atol=1e-4)


@st.composite
def malformed(draw):
    n = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["ragged", "two_arrays", "dict", "wrong_width", "nested_ragged",
                                 "scalar", "strings"]))
    if kind == "ragged":
        lengths = draw(st.lists(st.integers(1, 5), min_size=n + 1, max_size=n + 1).filter(
            lambda ls: len(set(ls)) > 1))
        return kind, [list(range(length)) for length in lengths]
    if kind == "two_arrays":
        return kind, [np.zeros((n, FEATURES), np.float32), np.zeros((n, FEATURES), np.float32)]
    if kind == "dict":
        return kind, {"a": np.zeros((n, FEATURES), np.float32)}
    if kind == "wrong_width":
        return kind, np.zeros((n, draw(st.sampled_from([1, 2, 4, 7]))), np.float32)
    if kind == "nested_ragged":
        return kind, [[[1.0, 2.0, 3.0]], [[1.0, 2.0]]]
    if kind == "scalar":
        return kind, np.float32(draw(st.floats(-1, 1)))
    return kind, np.array([["a", "b", "c"]] * n)


@PROFILE
@given(case=malformed(), method=st.sampled_from(["predict", "evaluate", "fit"]))
def test_malformed_structures_name_the_input(model, case, method):
    _, x = case
    y = np.zeros((4, 2), np.float32)
    with pytest.raises((ValueError, TypeError)) as raised:
        if method == "predict":
            model.predict(x, verbose=0)
        elif method == "evaluate":
            model.evaluate(x, y, verbose=0)
        else:
            model.fit(x, y, verbose=0)
    assert_names_input(raised.value, names=("x", "input", "samples"))


@pytest.fixture(scope="module")
def sparse_model():
    keraslite.utils.set_random_seed(1)
    m = keraslite.Sequential([keraslite.Input((FEATURES,)), layers.Dense(3)])
    m.compile(optimizer="sgd",
              loss=keraslite.losses.SparseCategoricalCrossentropy(from_logits=True))
    return m


@PROFILE
@given(labels=st.lists(st.integers(-2, 5), min_size=2, max_size=8),
       batch=st.integers(1, 3), dtype=st.sampled_from(["int32", "int64", "uint8", "float32"]))
def test_streamed_sparse_labels_are_checked_on_every_batch(sparse_model, labels, batch, dtype):
    labels = np.array(labels)
    if dtype == "uint8":
        labels = np.abs(labels)
    labels = labels.astype(dtype)
    x = np.linspace(0, 1, len(labels) * FEATURES, dtype=np.float32).reshape(-1, FEATURES)
    model = sparse_model  # evaluate leaves its weights alone

    def batches():
        for start in range(0, len(labels), batch):
            yield x[start:start + batch], labels[start:start + batch]

    bad = [i // batch for i, v in enumerate(labels) if not 0 <= v < 3]
    if not bad:
        logits = model.predict(x, verbose=0).astype(np.float64)
        log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        expected = -np.mean(log_p[np.arange(len(labels)), labels.astype(int)])
        loss = model.evaluate(batches(), verbose=0)
        # The mean of per-batch means weighted by batch size is the mean over all samples.
        np.testing.assert_allclose(loss, expected, rtol=1e-4)
        return
    with pytest.raises(ValueError, match=f"Batch {bad[0]} of the data source"):
        model.evaluate(batches(), verbose=0)
