"""Shape inference with an unknown batch size: sizes that depend on it are unknown (None),
the others are those of a concrete call; code branching on the batch size still infers; a
sublayer built inside a traced call records no symbolic size."""
import json

import numpy as np

import keraslite
from keraslite import layers, ops


class _BranchOnBatch(layers.Layer):
    # Python control flow on the batch size: can't trace with a symbolic size.
    def call(self, inputs):
        if inputs.shape[0] is not None and inputs.shape[0] > 1:
            return inputs[:1] * 2.0
        return inputs


class _Wrapper(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = layers.Dense(3)

    def call(self, inputs):
        return self.inner(inputs)


def _concrete_shape(fn, x):
    return tuple(np.asarray(fn(x)).shape)


def test_batch_dependent_sizes_are_unknown_and_others_match_a_concrete_call():
    x = np.zeros((5, 4, 6), "float32")
    cases = [
        lambda t: ops.concatenate([t, t], axis=0),
        lambda t: ops.reshape(t, (-1, 6)),
        lambda t: ops.sum(t, axis=0),
        lambda t: layers.Conv1D(2, 3, strides=2)(t),
    ]
    for fn in cases:
        symbolic = fn(keraslite.Input((4, 6))).shape
        concrete = _concrete_shape(fn, x)
        assert len(symbolic) == len(concrete)
        for s, c in zip(symbolic, concrete):
            assert s is None or s == c, (symbolic, concrete)
    assert fn(keraslite.Input((4, 6))).shape[0] is None
    assert ops.concatenate([keraslite.Input((4,))] * 2, axis=0).shape == (None, 4)
    assert ops.sum(keraslite.Input((4, 6)), axis=0).shape == (4, 6)


def test_code_branching_on_the_batch_size_still_infers():
    out = _BranchOnBatch()(keraslite.Input((3,)))
    assert tuple(out.shape)[1:] == (3,)
    np.testing.assert_allclose(
        np.asarray(_BranchOnBatch()(np.ones((4, 3), "float32"))), np.full((1, 3), 2.0))


def test_sublayer_built_inside_a_traced_call_records_plain_sizes():
    inputs = keraslite.Input((4,))
    wrapper = _Wrapper()
    model = keraslite.Model(inputs, wrapper(inputs))
    assert wrapper.inner.kernel.shape == (4, 3)
    json.dumps(model.get_config())  # no symbolic size anywhere in the config
    y = model.predict(np.ones((2, 4), "float32"), verbose=0)
    assert y.shape == (2, 3)
