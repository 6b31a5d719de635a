"""Feeders turn a data source into blocks of steps for the compiled loops.

Every block is ``(loop, device_data, order, offset, n_steps)``: run ``n_steps`` steps, batch ``i``
being rows ``order[offset + i*B : offset + (i+1)*B]`` of ``device_data``.

- ``ArrayFeeder``: the arrays go to the device once; each epoch only a new order is sent.
- ``StreamFeeder``: batches from a generator, PyDataset, tf.data or iterable are gathered on the
  host, consecutive batches of one shape concatenated, and each group sent as one block (its
  order is simply 0..k*B-1). A change of batch shape (e.g. a last, smaller batch) starts a group.
  The next group is prepared while the current one runs (see ``StreamFeeder.blocks``).
"""
from __future__ import annotations

import functools

import numpy as np

from keraslite.backends import compile as B_compile
from keraslite.training import batch_layout, targets
from keraslite.training.data import ArrayData, signature
from keraslite.training.data_sources import batch_data, is_stream, make_source
from keraslite.training.prefetch import prefetch


@functools.lru_cache(maxsize=8)
def identity_order(n: int):
    """The order ``0..n-1`` on the device (kept for the last few lengths: ``train_on_batch``
    sends one per call, and loops never donate their order)."""
    return B_compile.to_device(np.arange(n, dtype=np.int32))


def i32(value):
    """A sample offset as the loops take it (a cached device scalar)."""
    return B_compile.int32_scalar(int(value))


class ArrayFeeder:
    """``layout`` (a ``batch_layout.BatchLayout``, training only): full batches only, the data
    held in arrays of the layout's rows; None: Keras's batches, the last one smaller."""

    def __init__(self, trainer, data, batch_size, kind, shuffle=False, steps=None, layout=None):
        self.trainer, self.data, self.batch_size, self.kind = trainer, data, batch_size, kind
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"shuffle must be True, False or 'batch'. Received: shuffle={shuffle!r}")
        self.shuffle = shuffle
        self.layout = layout
        flat, self.template = data.flat()
        if layout is not None:
            flat = [layout.pad_rows(a) for a in flat]
        self.device_data = B_compile.to_device_many(flat)
        self.total_steps = -(-data.num_samples // batch_size)
        if steps is not None:
            self.total_steps = min(self.total_steps, steps)

    def steps(self):
        return self.total_steps

    def first_data(self):
        return self.data

    def loop_sizes(self) -> list:
        """``(batch size, steps per epoch)`` of each loop an epoch runs: the full batches',
        then the last, smaller batch's (none with a layout)."""
        n, b = self.data.num_samples, self.batch_size
        if self.layout is not None:
            return [(b, self.total_steps)]
        full = min(n // b, self.total_steps)
        sizes = [(b, full)] if full else []
        if self.total_steps > full:
            sizes.append((n - full * b, 1))
        return sizes

    def _order_length(self) -> int:
        n = self.data.num_samples
        return n if self.layout is None else self.layout.order_length(self.batch_size, n)

    def prepare_loops(self):
        """The main loop, made now (creating lazily built state) rather than mid-epoch."""
        return self.trainer._loop(self.kind, self.loop_sizes()[0][0], self.template)

    def warm_loops(self, skip_first=False):
        """Starts compiling, in the background, the loops an epoch over these arrays runs (the
        full batches, the remainder batch), except the first one with ``skip_first`` (the
        caller compiles that one now, side by side)."""
        sizes = [size for size, _ in self.loop_sizes()]
        if skip_first:
            sizes = sizes[1:]
        order = B_compile.to_device(np.zeros(self._order_length(), np.int32))
        for size in sizes:
            loop = self.trainer._loop(self.kind, size, self.template)
            params = () if self.kind == "train" else [v.value for v in loop.read_only]
            loop.warm(params, self.device_data, order, i32(0))

    def _order(self, rng):
        n, b = self.data.num_samples, self.batch_size
        if not self.shuffle or rng is None:
            return np.arange(n)
        if self.shuffle == "batch":
            # Keras's "batch" shuffle: batch-sized chunks in random order, samples kept together.
            full = n // b
            chunks = rng.permutation(full)[:, None] * b + np.arange(b)
            return np.concatenate([chunks.ravel(), np.arange(full * b, n)])
        return rng.permutation(n)

    def blocks(self, block, rng=None, start_step=0):
        """Blocks of steps for one epoch, from step ``start_step`` (a resumed epoch still draws
        its whole shuffle order, so the remaining batches are the ones it would have had)."""
        b = self.batch_size
        order = self._order(rng).astype(np.int32)
        if self.layout is None:
            full_steps = min(self.data.num_samples // b, self.total_steps)
        else:
            full_steps = self.total_steps
            order = self.layout.order(order, b, full_steps)
        order = B_compile.to_device(order)
        loop = self.trainer._loop(self.kind, b, self.template)
        step = start_step
        while step < full_steps:
            n = min(block.size, full_steps - step)
            yield loop, self.device_data, order, i32(step * b), n
            step += n
        if max(step, full_steps) < self.total_steps:
            rest = self.data.num_samples - full_steps * b
            rest_loop = self.trainer._loop(self.kind, rest, self.template)
            yield rest_loop, self.device_data, order, i32(full_steps * b), 1

    def on_epoch_end(self):
        pass


class StreamFeeder:
    def __init__(self, trainer, source, kind, what, steps=None):
        self.trainer, self.source, self.kind, self.what = trainer, source, kind, what
        self.limit = steps
        self._first = None

    def steps(self):
        known = self.source.steps()
        if self.limit is not None:
            return self.limit if known is None else min(known, self.limit)
        return known

    def first_data(self):
        """The first batch as ArrayData, to build the model and check shapes before training."""
        if self._first is None:
            raw = self.source.peek()
            try:
                self._first = batch_data(raw, self.what)
            except (ValueError, TypeError) as error:
                raise type(error)(f"Batch 0 of the data source: {error}") from None
        return self._first

    def prepare_loops(self):
        """The loop for the first batch's shape, made now (creating lazily built state)."""
        first = self.first_data()
        _, template = first.flat()
        return self.trainer._loop(self.kind, first.num_samples, template)

    def _standardized(self, raw, index):
        # Every batch is checked on the host (inputs, targets' structure and label ranges): a
        # compiled loop retraced for a new batch shape would not check the model's input spec
        # again, and the compiled step cannot refuse a label outside the classes.
        try:
            data = batch_data(raw, self.what)
        except (ValueError, TypeError) as error:
            raise type(error)(f"Batch {index} of the data source: {error}") from None
        return self.trainer._check_batch(data, index, self.kind,
                                         had_y=self.first_data().y is not None)

    def blocks(self, block, rng=None, start_step=0):
        # Reading, stacking and copying block n + 1 overlaps block n's compute: through JAX's
        # asynchronous dispatch, or a prefetch thread where calls block (TensorFlow). With
        # batches that take 2 ms to read, the thread made TF's fit 1.3-1.5x faster and JAX's
        # 0.92-0.97x (benchmarks/stream_prefetch.py).
        blocks = self._device_blocks(block, start_step)
        if not B_compile.DISPATCHES_ASYNC:
            blocks = prefetch(blocks)
        for template, batch_size, device_data, order, n in blocks:
            loop = self.trainer._loop(self.kind, batch_size, template)
            yield loop, device_data, order, i32(0), n

    def _device_blocks(self, block, start_step=0):
        pending, key = [], None
        batches = self.source.epoch_batches(self.steps())
        for _ in range(start_step):  # a resumed epoch: skip the batches already trained on
            if next(batches, None) is None:
                return
        for index, raw in enumerate(batches, start_step):
            data = self._standardized(raw, index)
            flat, template = data.flat()
            this_key = (signature(template), data.num_samples)
            if pending and (this_key != key or len(pending) >= block.size):
                yield self._group(pending)
                pending = []
            key = this_key
            pending.append((flat, template, data.num_samples))
        if pending:
            yield self._group(pending)

    @staticmethod
    def _group(pending):
        _, template, batch_size = pending[0]
        columns = zip(*[flat for flat, _, _ in pending])
        device_data = B_compile.to_device_many([np.concatenate(parts, axis=0) for parts in columns])
        order = identity_order(len(pending) * batch_size)
        return template, batch_size, device_data, order, len(pending)

    def on_epoch_end(self):
        self.source.on_epoch_end()


def prepare_first_batch(trainer, data, need_y=True):
    """``trainer._prepare`` on a stream's first batch, its errors naming the batch like the
    checks of the later batches do."""
    try:
        trainer._prepare(data, need_y=need_y)
    except ValueError as error:
        raise ValueError(f"Batch 0 of the data source: {error}") from None


def predict_batches(source, what):
    """Just the ``x`` of each batch of a stream, for ``predict``."""
    for raw in source.epoch_batches(source.steps()):
        yield batch_data(raw, what).x


def make_feeder(trainer, x, y, sample_weight, batch_size, kind, what, shuffle=False, steps=None,
                class_weight=None, validation_split=0.0):
    """``(feeder, validation feeder or None)`` for ``x`` (arrays or a batch source), with
    the model built for its data."""
    if is_stream(x):
        for name, value in (("y", y), ("sample_weight", sample_weight),
                            ("class_weight", class_weight)):
            if value is not None:
                raise ValueError(
                    f"{what}() got {name}= together with a dataset or generator as x. Put "
                    "the targets and weights in the batches instead: (x, y) or "
                    "(x, y, sample_weight)."
                )
        if validation_split:
            raise ValueError(
                "validation_split only works with arrays; with a dataset or generator pass "
                "validation_data=... instead."
            )
        feeder = StreamFeeder(trainer, make_source(x, what), kind, what, steps)
        first = feeder.first_data()
        if kind == "train" and first.y is None and trainer._compile_loss is not None:
            raise ValueError(
                f"{what}() needs targets: the batches from the data source hold only x. "
                "Yield (x, y) tuples."
            )
        prepare_first_batch(trainer, first, need_y=kind != "predict")
        return feeder, None
    data = ArrayData(x, y, sample_weight, what=what)
    if (kind == "train" and data.y is None and trainer._compile_loss is not None
            and not trainer._uses_custom_train_step()):
        raise ValueError(
            f"{what}() on model '{trainer.name}' needs targets y for the compiled loss. "
            "Received: y=None"
        )
    val = None
    if validation_split:
        data, val_data = data.split(float(validation_split))
        trainer._prepare(val_data)
        val = ArrayFeeder(trainer, val_data, batch_size, "test")
    trainer._prepare(data, need_y=kind != "predict")
    if class_weight is not None:
        data.sample_weight = targets.class_weights_to_sample_weights(
            class_weight, data, targets.num_classes(trainer))
    layout = batch_layout.current() if kind == "train" else None
    return ArrayFeeder(trainer, data, batch_size, kind, shuffle=shuffle, steps=steps,
                       layout=layout), val
