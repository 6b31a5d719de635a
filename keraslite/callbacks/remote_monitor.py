"""RemoteMonitor: POSTs each epoch's logs to an HTTP server (standard library only)."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Mapping, Optional

import numpy as np

from keraslite.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Sends ``{"epoch": epoch, **logs}`` to ``root + path`` at the end of every epoch: as a form
    field ``field`` holding the JSON text, or as a JSON body with ``send_as_json``. An
    unreachable server gives a warning, not an error, so training goes on.

    Example::

        RemoteMonitor(root="http://localhost:9000", path="/publish/epoch/end/")
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: Optional[Mapping[str, str]] = None,
                 send_as_json: bool = False, timeout: float = 10.0):
        super().__init__()
        url = f"{root}{path}"
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("RemoteMonitor: `root` must be an http:// or https:// URL. "
                             f"Received: root={root!r}")
        self.root, self.path, self.field = root, path, field
        self.headers, self.send_as_json, self.timeout = headers, send_as_json, timeout

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch}
        for key, value in (logs or {}).items():
            payload[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(payload).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError) as error:
            warnings.warn(f"RemoteMonitor could not reach the server at {self.root}: {error}",
                          stacklevel=2)
