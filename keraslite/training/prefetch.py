"""Prefetch: produce the next item of an iterator in a background thread.

Streaming data (generators, PyDataset, tf.data) is read, stacked into a block and copied to the
device on the host. Doing that for block ``n + 1`` while the compiled loop runs block ``n`` hides
the host work behind the device work (TensorFlow calls block until the step is done, and JAX
programs run on other threads), so the device waits less between blocks.
"""
from __future__ import annotations

import queue
import threading

_DONE = object()


class _Failure:
    def __init__(self, error):
        self.error = error


def prefetch(iterable, depth: int = 1):
    """Yields the items of ``iterable``, computing up to ``depth`` items ahead in a thread.

    An exception raised while producing an item is re-raised here, at the point that item would
    have been yielded. Closing the generator early (a ``break`` in the consumer) stops the thread
    after the item it is producing.
    """
    items = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            for item in iterable:
                if not _put(item):
                    return
            _put(_DONE)
        except BaseException as error:  # handed to the consumer, which re-raises it
            _put(_Failure(error))

    def _put(item):
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    thread = threading.Thread(target=produce, name="keraslite-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
