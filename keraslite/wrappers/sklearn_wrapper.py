"""scikit-learn's estimator API over a keraslite model, so a model fits into ``Pipeline``,
``cross_val_score`` and ``GridSearchCV``.

``model`` is either a compiled ``keraslite.Model`` (each ``fit`` trains a fresh clone of it,
compiled the same way) or a function ``model(X, y, **model_kwargs)`` returning a compiled model.
Parameters are stored as given (scikit-learn's convention), so ``sklearn.base.clone`` works.
"""
from __future__ import annotations

from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.utils.validation import check_array, check_is_fitted, check_X_y
except ImportError as _error:  # a clear message at import, naming what to install
    raise ImportError("keraslite.wrappers needs scikit-learn: pip install scikit-learn") \
        from _error


class _KerasliteEstimator(BaseEstimator):
    def __init__(self, model: Any, warm_start: bool = False,
                 model_kwargs: dict | None = None, fit_kwargs: dict | None = None):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _new_model(self, X, y):
        from keraslite.models import Model, clone_model

        if isinstance(self.model, Model):
            if not self.model.compiled:
                raise ValueError(f"{type(self).__name__}: argument `model` must be compiled "
                                 "(call model.compile(...) first), or pass a function that "
                                 "returns a compiled model.")
            return clone_model(self.model)
        if callable(self.model):
            model = self.model(X, y, **(self.model_kwargs or {}))
            if not isinstance(model, Model):
                raise TypeError(f"{type(self).__name__}: the `model` function must return a "
                                f"keraslite Model. It returned: {type(model).__name__}")
            return model
        raise TypeError(f"{type(self).__name__}: argument `model` must be a compiled keraslite "
                        f"Model or a function returning one. Received: {self.model!r:.80}")

    def _encode_target(self, y):
        return y

    def fit(self, X, y, **kwargs):
        """Trains the model (a new one unless ``warm_start`` and already fitted)."""
        X, y = check_X_y(X, y, multi_output=True, dtype="numeric", y_numeric=False)
        self.n_features_in_ = X.shape[1]
        target = self._encode_target(y)
        if not (self.warm_start and hasattr(self, "model_")):
            self.model_ = self._new_model(X, target)
        fit_kwargs = {"verbose": 0, **(self.fit_kwargs or {}), **kwargs}
        self.history_ = self.model_.fit(X.astype("float32"), target, **fit_kwargs)
        return self

    def _raw_predict(self, X):
        check_is_fitted(self, "model_")
        X = check_array(X, dtype="numeric")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} was "
                             f"fitted with {self.n_features_in_} features.")
        return np.asarray(self.model_.predict(X.astype("float32"), verbose=0))


class SKLearnClassifier(ClassifierMixin, _KerasliteEstimator):
    """A classifier: targets are one-hot encoded for the model (one output unit per class,
    e.g. softmax with categorical crossentropy); ``predict`` gives back the original labels.

    Example::

        def build(X, y):
            model = keraslite.Sequential([keraslite.Input((X.shape[1],)),
                                          keraslite.layers.Dense(y.shape[1], "softmax")])
            model.compile("adam", "categorical_crossentropy")
            return model

        clf = SKLearnClassifier(build, fit_kwargs={"epochs": 20}).fit(X, labels)
    """

    def _encode_target(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError("SKLearnClassifier: `y` must be one label per sample. Received: "
                             f"y of shape {y.shape}")
        self._encoder = OneHotEncoder(sparse_output=False, dtype="float32")
        encoded = self._encoder.fit_transform(y.reshape(-1, 1))
        self.classes_ = self._encoder.categories_[0]
        return encoded

    def predict(self, X):
        """The most probable class label of each sample."""
        scores = self._raw_predict(X)
        return self.classes_[np.argmax(scores.reshape(len(scores), -1), axis=-1)]

    def predict_proba(self, X):
        """The model's outputs (class scores), one column per class in ``classes_`` order."""
        return self._raw_predict(X)


class SKLearnRegressor(RegressorMixin, _KerasliteEstimator):
    """A regressor: ``predict`` returns one value per sample for a 1D ``y`` (the model's
    outputs otherwise)."""

    def _encode_target(self, y):
        y = np.asarray(y, dtype="float32")
        self._target_ndim = y.ndim
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def predict(self, X):
        out = self._raw_predict(X)
        return out.reshape(len(out)) if self._target_ndim == 1 else out


class SKLearnTransformer(TransformerMixin, _KerasliteEstimator):
    """A transformer: ``transform(X)`` is the trained model's output (e.g. an encoder)."""

    def _encode_target(self, y):
        return np.asarray(y, dtype="float32")

    def transform(self, X):
        return self._raw_predict(X)
