"""Regression metrics: RootMeanSquaredError, R2Score and running means of loss functions."""
from __future__ import annotations

from keraslite import ops
from keraslite.losses import cosine_loss, hinge_losses as H, log_cosh_loss, poisson_loss
from keraslite.losses import probabilistic as P
from keraslite.losses import regression as R
from keraslite.losses.loss import divide_no_nan, squeeze_or_expand_to_same_rank
from keraslite.metrics.metric import Metric
from keraslite.metrics.reduction_metrics import Mean, MeanMetricWrapper


class RootMeanSquaredError(Mean):
    """sqrt of the running (weighted) mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(ops.square(ops.subtract(y_pred, y_true)), sample_weight=sample_weight)

    def result(self):
        return ops.sqrt(divide_no_nan(self.total.value, self.count.value))


def _cosine(y_true, y_pred, axis=-1):
    return ops.negative(cosine_loss.cosine_similarity(y_true, y_pred, axis=axis))


def _wrapper(class_name, fn, default_name, doc, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})


MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError", R.mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error", "Running mean absolute percentage error.")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError", R.mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error", "Running mean squared log error.")
LogCoshError = _wrapper("LogCoshError", log_cosh_loss.log_cosh, "logcosh", "Running mean of log(cosh(error)).")
Poisson = _wrapper("Poisson", poisson_loss.poisson, "poisson", "Running mean Poisson loss.")
KLDivergence = _wrapper("KLDivergence", P.kl_divergence, "kl_divergence", "Running mean KL divergence.")
Hinge = _wrapper("Hinge", H.hinge, "hinge", "Running mean hinge loss.")
SquaredHinge = _wrapper("SquaredHinge", H.squared_hinge, "squared_hinge", "Running mean squared hinge loss.")
CategoricalHinge = _wrapper("CategoricalHinge", H.categorical_hinge, "categorical_hinge",
                            "Running mean categorical hinge loss.")


class CosineSimilarity(MeanMetricWrapper):
    """Running mean cosine similarity (1 for parallel vectors)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine, name=name, dtype=dtype, axis=axis)


class R2Score(Metric):
    """Coefficient of determination per output, aggregated by ``class_aggregation``:
    "uniform_average" (default), "variance_weighted_average" or None (per output); with
    ``num_regressors`` the adjusted R2."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in ("uniform_average", "variance_weighted_average", None):
            raise ValueError('R2Score: `class_aggregation` must be "uniform_average", '
                             f'"variance_weighted_average" or None. Received: {class_aggregation!r}')
        if not isinstance(num_regressors, int) or num_regressors < 0:
            raise ValueError(f"R2Score: `num_regressors` must be an int >= 0. Received: {num_regressors!r}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), "zeros", dtype="int32", name="num_samples")
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        if self.built:
            return
        shape = tuple(y_true_shape)
        outputs = shape[-1] if len(shape) > 1 else 1
        if outputs is None:
            raise ValueError(f"R2Score needs a known last dimension of y_true. Received: shape={shape}")
        for name in ("squared_sum", "sum", "total_mse", "count"):
            setattr(self, name, self.add_variable((outputs,), "zeros", name=name))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        if len(y_true.shape) == 1:
            y_true = ops.expand_dims(y_true, -1)
        if len(y_pred.shape) == 1:
            y_pred = ops.expand_dims(y_pred, -1)
        self.build(y_true.shape, y_pred.shape)
        weight = ops.ones_like(y_true)
        if sample_weight is not None:
            sw = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            if len(sw.shape) == 1:
                sw = ops.expand_dims(sw, -1)
            weight = ops.multiply(weight, sw)
        weighted = ops.multiply(y_true, weight)
        self.sum.assign_add(ops.sum(weighted, axis=0))
        self.squared_sum.assign_add(ops.sum(ops.multiply(y_true, weighted), axis=0))
        self.total_mse.assign_add(ops.sum(ops.multiply(ops.square(ops.subtract(y_true, y_pred)), weight), axis=0))
        self.count.assign_add(ops.sum(weight, axis=0))
        # like Keras, the adjusted score counts every target value (samples x outputs)
        self.num_samples.assign_add(ops.cast(ops.size(y_true), "int32"))

    def result(self):
        mean = ops.divide(self.sum.value, self.count.value)
        total = ops.subtract(self.squared_sum.value, ops.multiply(self.sum.value, mean))
        scores = ops.subtract(1.0, ops.divide(self.total_mse.value, total))
        scores = ops.where(ops.isinf(scores), ops.zeros_like(scores), scores)
        if self.class_aggregation == "uniform_average":
            r2 = ops.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = ops.sum(ops.multiply(ops.divide(total, ops.sum(total)), scores))
        else:
            r2 = scores
        if self.num_regressors:
            n = ops.cast(self.num_samples.value, self.dtype)
            adjusted = ops.subtract(1.0, ops.divide(ops.multiply(ops.subtract(1.0, r2), ops.subtract(n, 1.0)),
                                                    ops.subtract(n, float(self.num_regressors + 1))))
            # too few samples for the regressors: Keras reports the unadjusted score
            r2 = ops.where(ops.greater(n, float(self.num_regressors + 1)), adjusted, r2)
        return r2

    def reset_state(self):
        if self.built:
            super().reset_state()
        else:
            self.num_samples.assign(0)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
