"""SwapEMAWeights (the model holds the moving averages exactly while evaluating/predicting)
and RemoteMonitor (posts to a local HTTP server on loopback)."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

import keraslite
from keraslite.callbacks import Callback, RemoteMonitor, SwapEMAWeights
from tests.callbacks.callback_test_helper import linear_data


def ema_model(use_ema=True):
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(1)])
    model.compile(optimizer=keraslite.optimizers.SGD(0.05, use_ema=use_ema, ema_momentum=0.5),
                  loss="mse")
    return model


class Recorder(Callback):
    """At each test/predict begin, the model's weights and the optimizer's averages."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def _record(self, logs=None):
        opt = self.model.optimizer
        self.seen.append(([v.numpy().copy() for v in opt._trainable_variables],
                          [a.numpy().copy() for a in opt._ema]))

    on_test_begin = on_predict_begin = _record


def test_validation_in_fit_runs_on_the_averages_and_training_keeps_raw_weights():
    x, y = linear_data()
    swap, rec = SwapEMAWeights(), Recorder()
    reference = ema_model()
    model = ema_model()
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False,
                        validation_data=(x, y), callbacks=[swap, rec])
    ref_history = reference.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False)
    # Training is unchanged by the swaps (raw weights go back after every validation).
    np.testing.assert_allclose(history.history["loss"], ref_history.history["loss"], rtol=1e-6)
    assert len(rec.seen) == 3
    for weights, parked in rec.seen:
        # The model holds the averages; the raw weights are parked in their place.
        assert not all(np.allclose(w, p) for w, p in zip(weights, parked))
    # At the end fit copies the averages into the weights, with or without the callback.
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_evaluate_uses_averages_and_restores_weights():
    x, y = linear_data()
    model = ema_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    opt = model.optimizer
    averages = [a.numpy().copy() for a in opt._ema]
    # Move the weights away from the averages so the two evaluations differ.
    for v in opt._trainable_variables:
        v.assign(v.numpy() + 0.5)
    moved = [v.numpy().copy() for v in opt._trainable_variables]
    with_swap = model.evaluate(x, y, verbose=0, callbacks=[SwapEMAWeights()])
    for v, value in zip(opt._trainable_variables, moved):
        np.testing.assert_allclose(v.numpy(), value)  # restored afterwards
    for v, value in zip(opt._trainable_variables, averages):
        v.assign(value)
    direct = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(with_swap, direct, rtol=1e-6)
    preds = model.predict(x, verbose=0, callbacks=[SwapEMAWeights()])
    np.testing.assert_allclose(preds, x @ averages[0] + averages[1], rtol=1e-5, atol=1e-6)


def test_swap_on_epoch_ends_with_the_averages():
    x, y = linear_data()
    model, reference = ema_model(), ema_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False,
              callbacks=[SwapEMAWeights(True)])
    reference.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_swap_needs_use_ema():
    x, y = linear_data()
    model = ema_model(use_ema=False)
    with pytest.raises(ValueError, match="use_ema"):
        model.evaluate(x, y, verbose=0, callbacks=[SwapEMAWeights()])


@pytest.fixture
def server():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers.get("Content-Type"),
                             self.headers.get("X-Run"), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("as_json", [False, True])
def test_remote_monitor_posts_epoch_logs(server, as_json):
    root, received = server
    x, y = linear_data()
    model = ema_model(use_ema=False)
    monitor = RemoteMonitor(root=root, path="/epochs/", field="payload", headers={"X-Run": "7"},
                            send_as_json=as_json)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False,
                        callbacks=[monitor])
    assert len(received) == 2
    for epoch, (path, content_type, run, body) in enumerate(received):
        assert path == "/epochs/" and run == "7"
        if as_json:
            assert content_type == "application/json"
            payload = json.loads(body)
        else:
            payload = json.loads(urllib.parse.parse_qs(body.decode())["payload"][0])
        assert payload["epoch"] == epoch
        assert payload["loss"] == pytest.approx(history.history["loss"][epoch])


def test_remote_monitor_warns_when_unreachable():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monitor = RemoteMonitor(root=f"http://127.0.0.1:{port}", timeout=2)
    with pytest.warns(UserWarning, match="could not reach"):
        monitor.on_epoch_end(0, {"loss": np.float32(1.5)})
    with pytest.raises(ValueError, match="root"):
        RemoteMonitor(root="file:///etc")
