"""The background prefetch of streamed blocks: order, errors, early stop, and real overlap."""
import threading
import time

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.training.prefetch import prefetch


def test_items_arrive_in_order():
    assert list(prefetch(iter(range(100)), depth=2)) == list(range(100))


def test_an_error_in_the_producer_is_raised_in_the_consumer():
    def items():
        yield 1
        raise KeyError("broken batch")

    got = []
    with pytest.raises(KeyError, match="broken batch"):
        for item in prefetch(items()):
            got.append(item)
    assert got == [1]


def test_the_next_item_is_produced_while_the_consumer_works():
    produced = []

    def items():
        for i in range(3):
            produced.append(i)
            yield i

    for item in prefetch(items()):
        if item == 0:
            time.sleep(0.3)  # the consumer is "running block 0"
            assert 1 in produced  # block 1 was prepared meanwhile


def test_closing_early_stops_the_thread():
    def forever():
        i = 0
        while True:
            yield i
            i += 1

    stream = prefetch(forever())
    assert next(stream) == 0
    stream.close()
    assert not any(t.name == "keraslite-prefetch" and t.is_alive() for t in threading.enumerate())


def test_fit_on_a_generator_matches_fit_on_the_same_arrays():
    """Prefetching changes when batches are read, not which: the weights match array training."""
    rng = np.random.RandomState(0)
    x, y = rng.rand(64, 4).astype("float32"), rng.rand(64, 1).astype("float32")

    def trained(data, **kwargs):
        keraslite.utils.set_random_seed(1)
        model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(*data, epochs=1, verbose=0, shuffle=False, **kwargs)
        return model.get_weights()

    batches = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))
    for a, b in zip(trained((x, y), batch_size=16), trained((batches,))):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
