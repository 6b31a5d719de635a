"""The name registry every family (activations ... regularizers) resolves names through."""
import numpy as np
import pytest

from keraslite import (
    activations, constraints, initializers, losses, metrics, optimizers, regularizers,
)
from keraslite.utils.registry import ObjectRegistry

FAMILIES = [activations, constraints, initializers, losses, metrics, optimizers, regularizers]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda m: m.__name__.split(".")[-1])
def test_every_registered_class_round_trips_through_its_config(family):
    for name, obj in family.ALL_OBJECTS.items():
        if not isinstance(obj, type) or name != obj.__name__:
            continue
        try:
            instance = family.get(name)
        except (ValueError, TypeError):
            continue  # abstract bases and wrappers are refused by name
        config = family.serialize(instance)
        again = family.deserialize(config)
        assert type(again) is obj
        assert again.get_config() == instance.get_config()


def test_names_resolve_to_the_same_objects_as_the_tables():
    assert activations.get("relu") is activations.relu
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.silu) == "silu"
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(metrics.get("auc"), metrics.AUC)
    assert isinstance(optimizers.get("ADAM"), optimizers.Adam)
    assert isinstance(initializers.get("he_normal"), initializers.HeNormal)


def test_classes_passed_to_get_are_instantiated():
    # A class is not itself a constraint or regularizer: calling MaxNorm(w) would build one.
    assert isinstance(constraints.get(constraints.MaxNorm), constraints.MaxNorm)
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    w = np.array([[3.0, 4.0]], np.float32)
    norm = constraints.get(constraints.UnitNorm)
    assert np.allclose(np.asarray(norm(w)), np.array([[1.0, 1.0]], np.float32), atol=1e-6)


def test_custom_objects_may_name_a_function():
    def my_penalty(weights):
        return 0.0

    config = {"class_name": "my_penalty", "config": {}}
    assert regularizers.deserialize(config, custom_objects={"my_penalty": my_penalty}) \
        is my_penalty
    assert losses.deserialize(config, custom_objects={"my_penalty": my_penalty}) is my_penalty


def test_errors_name_the_input_and_the_valid_names():
    with pytest.raises(ValueError, match=r"Unknown constraint: 'maxnorm'\. Valid names: .*max_norm"):
        constraints.get("maxnorm")
    with pytest.raises(ValueError, match="LossScaleOptimizer wraps another optimizer"):
        optimizers.get("LossScaleOptimizer")
    with pytest.raises(ValueError, match="Unknown loss: 'Loss'"):
        losses.get("Loss")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: None"):
        optimizers.get(None)
    with pytest.raises(TypeError, match="expects an Initializer instance"):
        initializers.serialize(lambda shape, dtype: None)
    with pytest.raises(ValueError, match="expects a dict with 'class_name'"):
        initializers.deserialize("zeros")


def test_a_new_family_needs_only_its_table():
    class Base:
        def get_config(self):
            return {}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    class Thing(Base):
        pass

    registry = ObjectRegistry("thing", "mine", {"Thing": Thing, "thing": Thing}, Base)
    assert isinstance(registry.get("thing"), Thing)
    assert registry.serialize(Thing()) == {"module": "mine", "class_name": "Thing", "config": {},
                                           "registered_name": None}
    with pytest.raises(ValueError, match=r"Unknown thing: 'other'\. Valid names: Thing, thing\."):
        registry.get("other")
