"""HyperModel: what a tuner builds and trains for each trial (KerasTuner's ``HyperModel``)."""
from __future__ import annotations

from typing import Any, Callable, Optional

from keraslite.tuner.hyperparameters import HyperParameters


class HyperModel:
    """Subclass and override ``build(hp)``; optionally ``fit(hp, model, *args, **kwargs)``.

    ``fit`` returns what the objective is read from: a History, a float, a dict of metric
    values, or a list of floats (one per objective). The default calls ``model.fit``.

    Example::

        class MyHyperModel(HyperModel):
            def build(self, hp):
                model = keraslite.Sequential([keraslite.layers.Dense(hp.Int("units", 8, 64))])
                model.compile("adam", "mse")
                return model
    """

    def __init__(self, name: Optional[str] = None, tunable: bool = True) -> None:
        self.name = name
        self.tunable = tunable

    def build(self, hp: HyperParameters) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__}.build(hp) is not implemented: override it to return a "
            "compiled model.")

    def fit(self, hp: HyperParameters, model: Any, *args: Any, **kwargs: Any) -> Any:
        return model.fit(*args, **kwargs)


class _FunctionHyperModel(HyperModel):
    """Wraps a plain ``build_model(hp)`` function."""

    def __init__(self, build_fn: Callable[[HyperParameters], Any]) -> None:
        super().__init__(name=getattr(build_fn, "__name__", None))
        self._build_fn = build_fn

    def build(self, hp: HyperParameters) -> Any:
        return self._build_fn(hp)


def as_hypermodel(hypermodel: Any) -> HyperModel:
    """A HyperModel from a HyperModel instance or a ``build_model(hp)`` function."""
    if isinstance(hypermodel, HyperModel):
        return hypermodel
    if callable(hypermodel):
        return _FunctionHyperModel(hypermodel)
    raise TypeError(
        "hypermodel must be a HyperModel instance or a function build_model(hp) returning a "
        f"model. Received: {type(hypermodel).__name__}")
