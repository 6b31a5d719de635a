"""Loss functions and Loss classes, and ``get``.

Example::

    loss_fn = keraslite.losses.get("sparse_categorical_crossentropy")
    value = loss_fn(y_true, y_pred)
"""
from __future__ import annotations

from keraslite.losses.cosine_loss import CosineSimilarity, cosine_similarity
from keraslite.losses.circle_loss import Circle, circle
from keraslite.losses.ctc_loss import CTC, ctc
from keraslite.losses.generalized_cross_entropy import (
    CategoricalGeneralizedCrossEntropy, categorical_generalized_cross_entropy,
)
from keraslite.losses.focal import (
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy, binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from keraslite.losses.hinge_losses import (
    CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge,
)
from keraslite.losses.log_cosh_loss import LogCosh, log_cosh, logcosh
from keraslite.losses.loss import Loss, LossFunctionWrapper, reduce_values, reduce_weighted_values
from keraslite.losses.overlap import Dice, Tversky, dice, tversky
from keraslite.losses.poisson_loss import Poisson, poisson
from keraslite.losses.probabilistic import (
    KLD, BinaryCrossentropy, CategoricalCrossentropy, KLDivergence, SparseCategoricalCrossentropy,
    binary_crossentropy, categorical_crossentropy, kl_divergence, kld,
    sparse_categorical_crossentropy,
)
from keraslite.losses.regression import (
    MAE, MAPE, MSE, MSLE, Huber, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, huber, mae, mape, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle,
)
from keraslite.utils.registry import ObjectRegistry

_CLASSES = (Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Hinge,
            SquaredHinge, CategoricalHinge, LogCosh, Poisson, CosineSimilarity,
            BinaryFocalCrossentropy, CategoricalFocalCrossentropy, Tversky, Dice, CTC, Circle,
            CategoricalGeneralizedCrossEntropy)
_FUNCTIONS = {
    fn.__name__: fn for fn in (
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, huber, binary_crossentropy, categorical_crossentropy,
        sparse_categorical_crossentropy, kl_divergence, hinge, squared_hinge, categorical_hinge,
        log_cosh, poisson, cosine_similarity, binary_focal_crossentropy,
        categorical_focal_crossentropy, tversky, dice, ctc, circle,
        categorical_generalized_cross_entropy)
}
_FUNCTIONS.update({"mse": mse, "mae": mae, "mape": mape, "msle": msle, "kld": kld,
                   "MSE": mse, "MAE": mae, "MAPE": mape, "MSLE": msle, "KLD": kld,
                   "huber_loss": huber, "bce": binary_crossentropy, "BCE": binary_crossentropy,
                   "logcosh": log_cosh})
ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update(_FUNCTIONS)

_REGISTRY = ObjectRegistry(
    "loss", "keraslite.losses", ALL_OBJECTS, Loss, functions=_FUNCTIONS,
    refused_by_name={Loss: None, LossFunctionWrapper: None},
    interpret_hint=". Pass a name, a config dict, a Loss or a callable (y_true, y_pred) -> losses.",
    serialize_error=lambda obj: ValueError(
        f"Cannot serialize loss {obj!r}: it is neither a Loss nor a built-in loss function."),
)


def serialize(loss):
    """``loss`` as a JSON-ready config (Keras's parameter name).

    A Loss instance gives a Keras-style dict; a built-in function gives its name."""
    return _REGISTRY.serialize(loss)


def deserialize(name, custom_objects=None):
    """A loss from a config or a name (Keras's parameter names)."""
    return _REGISTRY.deserialize(name, custom_objects)


# Function names ("mse", "binary_crossentropy") give the plain function, class names
# ("MeanSquaredError") a default instance.
get = _REGISTRY.get


def resolve_crossentropy(y_true_shape, y_pred_shape):
    """The cross-entropy function Keras picks for the loss string "crossentropy"/"ce": binary
    for a last output dim of 1, sparse for integer-shaped targets, categorical otherwise."""
    from keraslite.metrics.resolve import is_binary_or_sparse_categorical

    is_binary, is_sparse = is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
    if is_binary:
        return binary_crossentropy
    return sparse_categorical_crossentropy if is_sparse else categorical_crossentropy


__all__ = ["Loss", "LossFunctionWrapper", "get", "serialize", "deserialize", "resolve_crossentropy",
           *(c.__name__ for c in _CLASSES[2:]), *_FUNCTIONS]
