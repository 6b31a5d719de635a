"""keraslite.wrappers: scikit-learn estimators over keraslite models, on scikit-learn's digits,
checked with scikit-learn's own tools (clone, Pipeline, cross_val_score) and against Keras 3's
wrappers."""
import os

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import keraslite  # noqa: E402
from keraslite.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    # Labels as strings, so predict must map back to the original labels.
    return data.data.astype("float32"), np.array([f"d{k}" for k in data.target])


def _classifier(lib):
    def build(X, y, hidden=32):
        model = lib.Sequential([lib.Input((X.shape[1],)), lib.layers.Dense(hidden, "relu"),
                                lib.layers.Dense(y.shape[1], "softmax")])
        model.compile(optimizer=lib.optimizers.Adam(0.01), loss="categorical_crossentropy")
        return model
    return build


def test_classifier_in_a_pipeline_with_cross_validation(digits):
    X, y = digits
    estimator = SKLearnClassifier(_classifier(keraslite), model_kwargs={"hidden": 32},
                                  fit_kwargs={"epochs": 8, "batch_size": 64})
    params = estimator.get_params()
    assert params["model_kwargs"] == {"hidden": 32} and params["warm_start"] is False
    assert clone(estimator).get_params()["fit_kwargs"] == {"epochs": 8, "batch_size": 64}
    scores = cross_val_score(make_pipeline(StandardScaler(), estimator), X, y, cv=2)
    assert scores.min() > 0.85, scores


def test_classifier_predictions_match_keras_wrapper_conventions(digits):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    X, y = digits
    X = StandardScaler().fit_transform(X)
    fit_kwargs = {"epochs": 8, "batch_size": 64, "verbose": 0}
    ours = SKLearnClassifier(_classifier(keraslite), fit_kwargs=fit_kwargs).fit(X[:1200],
                                                                                y[:1200])
    theirs = keras.wrappers.SKLearnClassifier(_classifier(keras), fit_kwargs=fit_kwargs).fit(
        X[:1200], y[:1200])
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    ours_pred, theirs_pred = ours.predict(X[1200:]), theirs.predict(X[1200:])
    assert ours_pred.shape == theirs_pred.shape and ours_pred.dtype == theirs_pred.dtype
    # Different random initial weights: the two agree on most held-out digits, not all.
    assert np.mean(ours_pred == theirs_pred) > 0.85
    assert abs(ours.score(X[1200:], y[1200:]) - theirs.score(X[1200:], y[1200:])) < 0.08
    assert ours.n_features_in_ == 64


def test_regressor_learns_a_linear_map_like_least_squares():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 4)).astype("float32")
    y = X @ np.array([1.0, -2.0, 0.5, 3.0], "float32") + 0.3
    model = keraslite.Sequential([keraslite.Input((4,)), keraslite.layers.Dense(1)])
    model.compile(optimizer=keraslite.optimizers.Adam(0.1), loss="mse")
    reg = SKLearnRegressor(model, fit_kwargs={"epochs": 60, "batch_size": 32}).fit(X, y)
    reference = LinearRegression().fit(X, y).predict(X)
    prediction = reg.predict(X)
    assert prediction.shape == (256,)
    np.testing.assert_allclose(prediction, reference, atol=0.1)
    assert reg.score(X, y) > 0.99
    # warm_start keeps training the same model; otherwise each fit starts from a fresh clone.
    first = reg.model_
    reg.set_params(warm_start=True).fit(X, y, epochs=1)
    assert reg.model_ is first
    assert clone(reg).set_params(warm_start=False).fit(X, y, epochs=1).model_ is not first


def test_transformer_outputs_the_model_output():
    X = np.random.default_rng(1).normal(size=(64, 6)).astype("float32")

    def encoder(X, y):
        model = keraslite.Sequential([keraslite.Input((6,)), keraslite.layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    transformer = SKLearnTransformer(encoder, fit_kwargs={"epochs": 1})
    out = transformer.fit(X, X[:, :2]).transform(X)
    np.testing.assert_allclose(out, transformer.model_.predict(X, verbose=0), rtol=1e-6)
    assert out.shape == (64, 2)


def test_bad_models_are_named():
    X, y = np.zeros((4, 2), "float32"), np.array([0, 1, 0, 1])
    uncompiled = keraslite.Sequential([keraslite.Input((2,)), keraslite.layers.Dense(2)])
    with pytest.raises(ValueError, match="`model` must be compiled"):
        SKLearnClassifier(uncompiled).fit(X, y)
    with pytest.raises(TypeError, match="must return a keraslite Model"):
        SKLearnRegressor(lambda X, y: "model").fit(X, y)
    with pytest.raises(TypeError, match="argument `model` must be"):
        SKLearnRegressor(3).fit(X, y)
