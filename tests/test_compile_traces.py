"""The backend's compiled multi-step loop: right sums, and (TensorFlow) one trace per loop.

On TensorFlow a loop used to be traced twice on its first call (once to look for convolutions,
once for XLA) and again for every new number of samples (validation data, then ``evaluate``
data), which made TensorFlow print its "triggered tf.function retracing" warning after a short
``fit``. JAX compiles per shape by design; there the test checks the results only.
"""
import numpy as np
import pytest

import keraslite
from keraslite import ops
from keraslite.backends import compile as backend_compile

BATCH = 4


def _counting_sum_loop(traces):
    def step(params, carry, batch):
        traces.append(1)  # runs only while the loop is traced
        (total,) = carry
        return [total + ops.sum(batch[0], axis=0) * params[0]]

    return backend_compile.compile_loop(step, BATCH)


def _run(loop, x, n_steps, scale=1.0, offset=0):
    to_device = backend_compile.to_device
    order = to_device(np.arange(len(x), dtype="int32"))
    (total,) = loop([to_device(np.float32(scale))], [to_device(np.zeros(3, "float32"))],
                    [to_device(x)], order, to_device(np.int32(offset)), n_steps)
    return ops.convert_to_numpy(total)


def test_loop_sums_the_batches_it_is_given_for_any_number_of_samples():
    rng = np.random.default_rng(0)
    traces = []
    loop = _counting_sum_loop(traces)
    for samples, n_steps, offset in ((12, 3, 0), (20, 4, 4), (9, 2, 0), (12, 1, 8)):
        x = rng.normal(size=(samples, 3)).astype("float32")
        expected = 2.0 * x[offset:offset + n_steps * BATCH].sum(axis=0)
        np.testing.assert_allclose(_run(loop, x, n_steps, 2.0, offset), expected, rtol=1e-5)
    if keraslite.backend.backend() == "tensorflow":
        assert len(traces) == 1  # one trace serves every sample count and step count


@pytest.mark.skipif(keraslite.backend.backend() != "tensorflow",
                    reason="the XLA-or-not choice exists on TensorFlow only")
@pytest.mark.parametrize("with_conv, expected_traces",
                         [(False, 1), (True, 1), ("depthwise", 1)])
def test_tensorflow_auto_xla_traces_the_python_function_once(with_conv, expected_traces):
    traces = []

    def fn(x):
        traces.append(1)
        if with_conv == "depthwise":  # XLA's CPU grouped convolution is slow in a loop too
            x = ops.depthwise_conv(ops.reshape(x, (1, 2, 3, 1)), ops.ones((1, 1, 1, 1)))
        elif with_conv:  # a 1x1 convolution with a unit kernel keeps the values
            x = ops.conv(ops.reshape(x, (1, 2, 3, 1)), ops.ones((1, 1, 1, 1)))
        return ops.sum(x)

    compiled = backend_compile.compile_function(fn, "auto")
    x = np.arange(6, dtype="float32").reshape(2, 3)
    for _ in range(3):
        assert float(ops.convert_to_numpy(compiled(backend_compile.to_device(x)))) == 15.0
    assert len(traces) == expected_traces
    assert (compiled.chosen is compiled.plain) == bool(with_conv)
