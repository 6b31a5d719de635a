"""RNNBlock, TemporalReduction and Merge built on symbolic inputs (no search, no training)."""
import numpy as np
import pytest

import keraslite
from keraslite import automl as ak
from keraslite.tuner import HyperParameters


def built(block, *shapes):
    inputs = [keraslite.Input(shape=shape) for shape in shapes]
    block.name = block.name or "block"
    output = block.build(HyperParameters(), inputs)
    return keraslite.Model(inputs if len(inputs) > 1 else inputs[0], output)


@pytest.mark.parametrize("reduction, reference", [
    ("global_max", lambda x: x.max(axis=1)),
    ("global_avg", lambda x: x.mean(axis=1)),
    ("flatten", lambda x: x.reshape(len(x), -1)),
])
def test_temporal_reduction_against_numpy(reduction, reference):
    x = np.random.default_rng(0).normal(size=(4, 5, 3)).astype("float32")
    model = built(ak.TemporalReduction(reduction_type=reduction), (5, 3))
    np.testing.assert_allclose(model.predict(x, verbose=0), reference(x), rtol=1e-6,
                               atol=1e-6)


def test_temporal_reduction_default_and_rank_two_pass_through():
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32")
    np.testing.assert_allclose(built(ak.TemporalReduction(), (4, 3)).predict(x, verbose=0),
                               x.mean(axis=1), rtol=1e-6, atol=1e-6)
    flat = x[:, 0]
    np.testing.assert_array_equal(built(ak.TemporalReduction(), (3,)).predict(flat, verbose=0),
                                  flat)


@pytest.mark.parametrize("arguments, shape, recurrent", [
    ({}, (7,), ["LSTM"]),  # the defaults: one LSTM of 7 units, one direction, last step
    ({"layer_type": "gru", "num_layers": 2, "units": 4}, (4,), ["GRU", "GRU"]),
    ({"bidirectional": True, "units": 4, "return_sequences": True}, (6, 8), ["Bidirectional"]),
])
def test_rnn_block_layers_and_shapes(arguments, shape, recurrent):
    arguments.setdefault("units", 7)
    model = built(ak.RNNBlock(**arguments), (6, 3))
    assert model.output.shape[1:] == shape
    assert [type(layer).__name__ for layer in model.layers
            if type(layer).__name__ in ("LSTM", "GRU", "Bidirectional")] == recurrent


def test_merge_concatenates_or_adds_after_flattening():
    x = [np.random.default_rng(2).normal(size=(3,) + s).astype("float32")
         for s in [(2, 2), (5,)]]
    joined = built(ak.Merge(merge_type="concatenate"), (2, 2), (5,)).predict(x, verbose=0)
    np.testing.assert_allclose(joined, np.concatenate([x[0].reshape(3, -1), x[1]], axis=1),
                               rtol=1e-6)
    added = built(ak.Merge(merge_type="add"), (2, 2), (5,))
    assert added.output.shape[1:] == (5,)  # the narrower branch is projected to width 5
    same = [x[1], 2 * x[1]]
    np.testing.assert_allclose(built(ak.Merge(merge_type="add"), (5,), (5,)).predict(
        same, verbose=0), 3 * x[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make, message", [
    (lambda: ak.RNNBlock(layer_type="rnn"), r"layer_type must be one of \['lstm', 'gru'\]"),
    (lambda: ak.TemporalReduction(reduction_type="sum"), "reduction_type must be one of"),
    (lambda: ak.Merge(merge_type="multiply"), "merge_type must be one of"),
])
def test_bad_block_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_rnn_block_refuses_a_table():
    with pytest.raises(ValueError, match=r"sequences \(batch, steps, features\).*\(None, 4\)"):
        built(ak.RNNBlock(), (4,))
