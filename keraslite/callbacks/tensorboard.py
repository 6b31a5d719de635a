"""TensorBoard: write training metrics and weight histograms as TensorBoard event files."""
from __future__ import annotations

import json
import os
import time
import types
import warnings

import numpy as np

from keraslite import ops
from keraslite.callbacks.argument_checks import check_int, check_update_freq
from keraslite.callbacks.callback import Callback

# TensorFlow's tf.summary.histogram (what Keras uses) draws 30 buckets by default.
_HISTOGRAM_BUCKETS = 30


def _writer_library():
    """The event-file writer package, imported only when a TensorBoard callback is made.

    tensorboardX writes TensorBoard's event format without TensorFlow, so the JAX backend never
    imports TensorFlow because of this callback.
    """
    try:
        from tensorboardX import summary
        from tensorboardX.event_file_writer import EventsWriter
        from tensorboardX.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2
    except ImportError as error:
        raise ImportError(
            "The TensorBoard callback writes event files with the 'tensorboardX' package, which "
            "is not installed. Install it with: pip install tensorboardX"
        ) from error
    return types.SimpleNamespace(EventsWriter=EventsWriter, summary=summary, event_pb2=event_pb2,
                                 summary_pb2=summary_pb2, tensor_pb2=tensor_pb2,
                                 types_pb2=types_pb2)


class _EventFile:
    """One event file, written synchronously (so a flush really reaches the disk)."""

    _count = 0

    def __init__(self, lib, directory):
        os.makedirs(directory, exist_ok=True)
        # The library names files by the second and host; the process id and a counter keep
        # two files opened in the same second apart.
        _EventFile._count += 1
        suffix = f".{os.getpid()}.{_EventFile._count}.v2"
        self._lib = lib
        self._events = lib.EventsWriter(os.path.join(directory, "events"), suffix)

    def add_summary(self, summary, step):
        event = self._lib.event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary)
        self._events.write_event(event)

    def flush(self):
        self._events.flush()

    def close(self):
        self._events.close()


def _as_image(weight):
    """A weight as a grayscale (H, W, 1) image in [0, 1], or None if it has no 2-D picture.

    Vectors become one row, matrices are drawn wide (transposed if taller than wide), and 4-D
    convolution kernels (kh, kw, in, out) with 1 input channel become their filters side by side.
    """
    w = np.atleast_1d(np.squeeze(np.asarray(weight, dtype=np.float32)))
    if w.ndim == 1:
        w = w[None, :]
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
    elif w.ndim == 3:  # a squeezed (kh, kw, out) kernel with one input channel
        w = np.concatenate([np.pad(w[:, :, i], ((0, 0), (0, 1))) for i in range(w.shape[2])],
                           axis=1)
    else:
        return None
    low, high = float(w.min()), float(w.max())
    w = (w - low) / (high - low) if high > low else np.zeros_like(w)
    return w[:, :, None]


class TensorBoard(Callback):
    """Writes logs for TensorBoard: scalars per epoch (and per batch), weight histograms.

    Layout as in Keras: ``log_dir/train`` holds ``epoch_<name>`` for each training log (plus
    ``epoch_learning_rate``), ``log_dir/validation`` holds ``epoch_<name>`` for each ``val_<name>``
    log, both at step = epoch (0-based). With an integer ``update_freq`` the train directory
    also gets ``batch_<name>`` (the epoch's running values) every ``update_freq`` batches, at
    step = number of batches trained since ``fit`` started. After each validation or
    ``evaluate``, ``log_dir/validation`` gets ``evaluation_<name>_vs_iterations`` at step =
    optimizer iterations. View with ``tensorboard --logdir log_dir``.

    Event files are written with the ``tensorboardX`` package (no TensorFlow needed).

    Args:
        log_dir: directory of the event files.
        histogram_freq: write a histogram of every weight (tag ``<weight path>/histogram``)
            every this many epochs (0: never).
        write_graph: write the model's config (tag ``keras``) so TensorBoard's graph tab can
            draw the model's layers.
        write_images: with ``histogram_freq``, also write weights as images (``<path>/image``);
            needs the ``pillow`` package.
        write_steps_per_second: also write ``epoch_steps_per_second`` (and
            ``batch_steps_per_second`` with an integer ``update_freq``).
        update_freq: ``"epoch"``, ``"batch"`` (= 1) or an integer number of batches. Batch
            logging makes ``fit`` run one step per compiled call, which is slower.
        profile_batch, embeddings_freq, embeddings_metadata: accepted for Keras compatibility;
            profiling and embeddings are not supported, so they must stay 0 / None.

    Example::

        board = keraslite.callbacks.TensorBoard("logs/run1", histogram_freq=1)
        model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[board])
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(
                f"TensorBoard: `log_dir` must be a path (str or os.PathLike). "
                f"Received: log_dir={log_dir!r}"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = check_int("TensorBoard", "histogram_freq", histogram_freq)
        self.write_graph = bool(write_graph)
        self.write_images = bool(write_images)
        self.write_steps_per_second = bool(write_steps_per_second)
        self.update_freq = check_update_freq("TensorBoard", "update_freq", update_freq)
        for name, value in (("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq),
                            ("embeddings_metadata", embeddings_metadata)):
            if value not in (0, None):
                raise ValueError(
                    f"TensorBoard: `{name}` is not supported by keraslite (no profiler or "
                    f"embedding projector). Leave it at its default. Received: {name}={value!r}"
                )
        self._lib = _writer_library()
        self._summary = self._lib.summary
        if self.write_images:
            try:
                import PIL  # noqa: F401  (tensorboardX encodes images with it)
            except ImportError as error:
                raise ImportError(
                    "TensorBoard(write_images=True) needs the 'pillow' package to encode images. "
                    "Install it with: pip install pillow"
                ) from error
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        self._global_train_batch = 0
        self._epoch_start = (0.0, 0)
        self._batch_start = 0.0
        if self.update_freq != "epoch":
            # Assigned on the instance, so only batch-level logging pays for batch hooks.
            self.on_train_batch_begin = self._batch_begin
            self.on_train_batch_end = self._batch_end

    # -- writers --------------------------------------------------------------------------------
    def _writer(self, which):
        """The writer for ``"train"`` or ``"validation"``, created (with its file) on first use."""
        writer = self._writers.get(which)
        if writer is None:
            path = self._train_dir if which == "train" else self._val_dir
            writer = self._writers[which] = _EventFile(self._lib, path)
        return writer

    def _scalars(self, which, values, step, prefix):
        writer = self._writer(which)
        for name, value in values.items():
            value = _scalar_or_none(value)
            if value is not None:
                writer.add_summary(self._summary.scalar(prefix + name, value), step)

    def _flush(self):
        for writer in self._writers.values():
            writer.flush()

    def _close(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks ----------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        if self.write_graph:
            self._write_model_config()

    def on_train_end(self, logs=None):
        self._close()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start = (time.perf_counter(), self._iterations())

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if "learning_rate" not in train and optimizer is not None:
            try:
                train["learning_rate"] = float(np.asarray(ops.convert_to_numpy(
                    optimizer.learning_rate)))
            except (AttributeError, TypeError, ValueError):  # an optimizer without one
                pass
        if self.write_steps_per_second:
            started, iterations = self._epoch_start
            seconds = max(time.perf_counter() - started, 1e-9)
            train["steps_per_second"] = (self._iterations() - iterations) / seconds
        self._scalars("train", train, epoch, "epoch_")
        if val:
            self._scalars("validation", val, epoch, "epoch_")
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(epoch)
        self._flush()

    def _batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def _batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if step % self.update_freq:
            return
        values = dict(logs or {})
        if self.write_steps_per_second:
            values["steps_per_second"] = 1.0 / max(time.perf_counter() - self._batch_start, 1e-9)
        self._scalars("train", values, step, "batch_")

    def on_test_end(self, logs=None):
        if getattr(self.model, "optimizer", None) is None or not logs:
            return
        self._scalars("validation", {f"evaluation_{k}_vs_iterations": v for k, v in logs.items()},
                      self._iterations(), "")
        self._writer("validation").flush()

    # -- contents -------------------------------------------------------------------------------
    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return 0
        return int(np.asarray(ops.convert_to_numpy(optimizer.iterations)))

    def _write_weights(self, epoch):
        writer = self._writer("train")
        for weight in self.model.weights:
            name = weight.path.replace(":", "_")
            values = np.asarray(weight.numpy(), dtype=np.float64)
            if values.size == 0:
                continue
            writer.add_summary(
                self._summary.histogram(f"{name}/histogram", values, bins=_HISTOGRAM_BUCKETS),
                epoch)
            if self.write_images:
                image = _as_image(values)
                if image is not None:
                    writer.add_summary(
                        self._summary.image(f"{name}/image", image, dataformats="HWC"), epoch)

    def _write_model_config(self):
        """The model config as a string tensor under TensorBoard's Keras-graph plugin, so the
        graph tab draws the model."""
        from keraslite.saving.serialization import serialize_layer

        try:
            config = json.dumps(serialize_layer(self.model))
        except Exception as error:  # e.g. a subclassed model without get_config: skip the graph
            warnings.warn(f"TensorBoard: the model config could not be written as JSON, so the "
                          f"graph tab will be empty ({error}).", stacklevel=2)
            return
        pb = self._lib.summary_pb2
        metadata = pb.SummaryMetadata(
            plugin_data=pb.SummaryMetadata.PluginData(plugin_name="graph_keras_model",
                                                      content=b"1"))
        tensor = self._lib.tensor_pb2.TensorProto(dtype=self._lib.types_pb2.DT_STRING,
                                                  string_val=[config.encode("utf-8")])
        summary = pb.Summary(value=[pb.Summary.Value(tag="keras", metadata=metadata,
                                                     tensor=tensor)])
        self._writer("train").add_summary(summary, 0)


def _scalar_or_none(value):
    """A log value as a float, or None for values TensorBoard cannot plot (arrays, strings)."""
    if isinstance(value, (bool, str)) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(array) if array.ndim == 0 else None
