"""Compiled multi-step loops for TensorFlow: many training steps per ``tf.function`` call.

The data of a whole ``fit`` lives in tensors; each call receives the epoch's sample order and
runs ``n_steps`` steps in a ``tf.while_loop``, gathering each batch by index, so the Python
overhead of a call is paid once per block of steps, not once per step.

``jit_compile="auto"`` traces the function once and uses XLA unless the graph holds a
convolution: on CPU, XLA makes dense models about 2.3x faster than TensorFlow's own kernels,
but its convolutions are several times slower than TensorFlow's oneDNN kernels (measured with
benchmarks/fit_throughput.py). A multi-step loop (``compile_loop``) also weighs XLA's compile
time against the steps it will run: it starts on TensorFlow's kernels and uses XLA once the
steps it has run, or that its caller said it will run (``fit`` knows epochs x steps), reach
``XLA_MIN_STEPS``. A short fit is mostly compilation: a 10-epoch fit of a small Dense model on
scikit-learn's digits (450 training steps, 120 validation steps, four loops) took 2.9 CPU
seconds with XLA and 0.9 without, and its later epochs ran about 0.13 ms per step faster
with XLA, so XLA repays its compilation (about 0.5 CPU s per loop) after a few thousand
steps (``python benchmarks/tuner_search.py --xla-tradeoff``). Both choices depend only on the
graph and the step counts, so they are the same on every run.

Each loop is traced once: the graph that decides XLA or not is the graph that runs (for a model
without convolutions), and the data and sample order are traced with an unknown number of
samples, so validation data, ``evaluate`` data and a later ``fit`` on more samples reuse the trace
instead of retracing for their sizes.
"""
from __future__ import annotations

import functools
import os

import tensorflow as tf

from keraslite.backends.tensorflow import core, distribution, shared_functions


def _prefer_quick_xla_compilation() -> None:
    """XLA's newer CPU fusion emitters take about 45% more compilation time than its classic
    ones for a small fit's programs, which then run as fast (CPU seconds per trial of
    benchmarks/tuner_search.py: 3.8 against 5.5); a short fit is mostly compilation. Some
    programs run faster with the newer emitters (an LSTM's forward pass:
    docs/recurrent-performance.md). TensorFlow takes XLA options only from XLA_FLAGS, read at
    its first compilation: the option is added there unless the user set it.

    An XLA that does not know a flag in XLA_FLAGS aborts the process (TensorFlow's and, in the
    same process, jaxlib's), and the variable cannot be probed safely from inside one: the
    option is set only with the releases it was verified with (TensorFlow 2.21; jaxlib, if
    installed, 0.10 or later, whose compile options keraslite's JAX loops also probe). Other
    versions keep XLA's default."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_cpu_use_fusion_emitters" in flags or not _verified_versions():
        return
    os.environ["XLA_FLAGS"] = (flags + " --xla_cpu_use_fusion_emitters=false").strip()


def _release(version: str) -> tuple[int, ...]:
    """(major, minor) of a version string such as "2.21.0rc1"."""
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _verified_versions() -> bool:
    from importlib import metadata

    if _release(tf.__version__) != (2, 21):
        return False
    try:
        jaxlib_version = metadata.version("jaxlib")
    except metadata.PackageNotFoundError:
        return True
    return _release(jaxlib_version) >= (0, 10)


_prefer_quick_xla_compilation()

# A loop with jit_compile="auto" (and no convolution) uses XLA once it has run, or its caller
# expects it to run, this many steps; before that, TensorFlow's kernels (see module doc).
XLA_MIN_STEPS = 3000

DONATES_STATE = False
# tf.function calls return when the step is done: streamed blocks are prefetched in a thread.
DISPATCHES_ASYNC = False


def compile_loop(step_fn, batch_size: int, jit_compile="auto", layout=None):
    """``step_fn(params, carry, batch_list) -> carry``. Returns
    ``run(params, carry, data_list, order, offset, n_steps) -> carry``; ``offset`` (a sample
    index) is an int32 tensor and ``n_steps`` a Python int (passed on as a tensor, so every
    length shares one traced loop).

    ``layout`` (a ``keraslite.distribution.loop_layout.LoopLayout`` of a DataParallel, or None):
    each step runs under ``tf.distribute.MirroredStrategy.run``, every replica on its slice of
    the batch (see backends/tensorflow/distribution.py). A batch that does not split evenly (a
    last, smaller batch) runs whole, on one replica."""
    replica_step = None
    if layout is not None:
        strategy = distribution.strategy(layout.replicated.devices)
        replicas = strategy.num_replicas_in_sync
        if batch_size % replicas == 0:
            replica_step = _replica_step(step_fn, batch_size // replicas)
        jit_compile = False  # XLA does not compile MirroredStrategy.run; the replicas run TF ops

    def run(params, carry, data, order, offset, n_steps):
        def body(i, carry):
            idx = core.slice(order, [offset + i * batch_size], [batch_size])
            batch = [tf.gather(a, idx) for a in data]
            if replica_step is None:
                return i + 1, step_fn(params, carry, batch)
            per_replica = strategy.run(replica_step, args=(params, carry, batch))
            # Every replica ends the step with the same state (averaged gradients, summed
            # metric increments): the first replica's is the state.
            return i + 1, tf.nest.map_structure(
                lambda v: strategy.experimental_local_results(v)[0], per_replica)

        _, carry = tf.while_loop(
            lambda i, c: i < n_steps, body, (tf.constant(0, tf.int32), carry),
            parallel_iterations=1,
        )
        return carry

    compiled = compile_function(run, jit_compile)
    if isinstance(compiled, _AutoXla):
        compiled.shared = True  # a model of the same graph reuses this loop (shared_functions)
        compiled.xla_min_steps = XLA_MIN_STEPS
    return _Loop(compiled)


class _Loop:
    """The loop ``compile_loop`` returns: counts the steps it runs and is told it will run
    (``expect``), which decide between XLA and TensorFlow's kernels (``XLA_MIN_STEPS``)."""

    def __init__(self, compiled):
        self.compiled = compiled

    def expect(self, n_steps: int) -> None:
        """The caller is about to run about ``n_steps`` steps (over all its calls)."""
        if isinstance(self.compiled, _AutoXla):
            self.compiled.expect(n_steps)

    def __call__(self, params, carry, data, order, offset, n):
        if isinstance(self.compiled, _AutoXla):
            self.compiled.expect(n)
        out = self.compiled.call_relaxed(
            (params, carry, data, order, offset, int32_scalar(n)), _any_sample_count)
        if isinstance(self.compiled, _AutoXla):
            self.compiled.steps_run += n
        return out


def _replica_step(step_fn, part):
    """The step one replica runs: its own ``part`` rows of the batch."""

    def step(params, carry, batch):
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        return step_fn(params, carry, [b[replica * part:(replica + 1) * part] for b in batch])

    return step


def _any_sample_count(args):
    """The loop's arguments for tracing: ``data`` and ``order`` of any number of samples."""
    params, carry, data, order, offset, n = args
    return (params, carry, [_relaxed(a) for a in data], _relaxed(order), offset, n)


def _relaxed(array):
    shape = getattr(array, "shape", None)
    if shape is None or len(shape) == 0:
        return array
    return tf.TensorSpec([None] + list(shape[1:]), tf.as_dtype(array.dtype))


def compile_function(fn, jit_compile="auto", donate_argnums=()):
    """Compiles a pure function of tensors (retraced per input shape)."""
    if jit_compile != "auto":
        return _Fixed(fn, bool(jit_compile))
    return _AutoXla(fn)


class _Fixed:
    """A ``tf.function`` with or without XLA, as asked."""

    def __init__(self, fn, jit_compile: bool):
        self.chosen = tf.function(fn, jit_compile=jit_compile, reduce_retracing=True,
                                  autograph=False)
        self.traced = False

    def __call__(self, *args):
        return self.chosen(*args)

    def call_relaxed(self, args, relax):
        """Calls with ``args``; the first call traces for ``relax(args)`` (tensors and
        TensorSpecs with unknown dimensions), which later calls of other sizes reuse."""
        if not self.traced:
            self.chosen.get_concrete_function(*relax(args))
            self.traced = True
        return self.chosen(*args)


class _AutoXla:
    """Chooses XLA or TensorFlow's own kernels from the first traced graph (see module doc).

    The Python function is traced once per input signature: the XLA variant is a function
    that calls the plain one (XLA compiles the callee with it), so its own trace costs one op
    and reuses the plain function's traces instead of running the model's Python code again.
    """

    # DepthwiseConv2dNative too: XLA's CPU grouped convolution in the loop took 6.6 s per
    # training step of one 3x3 depthwise layer on a (16, 48, 48, 64) batch, TensorFlow's 7 ms.
    _CONV_OPS = ("Conv", "DepthwiseConv", "MaxPool", "AvgPool")

    def __init__(self, fn):
        # No jit_compile setting: inside the XLA variant, the plain function is compiled too.
        self.plain = tf.function(fn, reduce_retracing=True, autograph=False)
        self.chosen = None
        self.shared = False  # look the traced graph up in shared_functions (compile_loop)
        # None: XLA whenever the graph allows (compile_function). A number (compile_loop): XLA
        # only once the steps run or expected reach it (see XLA_MIN_STEPS).
        self.xla_min_steps = None
        self.steps_run = 0
        self.steps_expected = 0
        self._signature = self._key = None
        self._has_conv = False
        self._has_time_loop = False
        self._xla_ran = self._xla_impossible = False
        self._variants = {}  # True (XLA) / False (plain) -> the function chosen runs

    def expect(self, n_steps: int) -> None:
        """``n_steps`` more steps are coming (the most told so far counts, not the sum: fit
        tells its total, then each validation run tells its own part of it). A loop that was
        running without XLA switches to it once the steps reach ``xla_min_steps``."""
        self.steps_expected = max(self.steps_expected, self.steps_run + int(n_steps))
        if self.chosen is not None and self._wants_xla():
            self.chosen = self._variant(True)

    def __call__(self, *args):
        return self.call_relaxed(args, lambda a: a)

    def call_relaxed(self, args, relax):
        """As ``_Fixed.call_relaxed``."""
        if self.chosen is None:
            signature = relax(args)
            traced = self.plain.get_concrete_function(*signature)
            self._signature = signature
            graph = traced.graph.as_graph_def()
            ops = _op_names(graph)  # one walk over the graph and its functions
            self._has_conv = any(op.startswith(self._CONV_OPS) for op in set(ops))
            # A while loop besides the step loop's own: a recurrent layer's time loop.
            self._has_time_loop = sum(op in _WHILE_OPS for op in ops) > 1
            if self.shared:
                structure = tf.nest.map_structure(lambda s: (tuple(s.shape), s.dtype.name),
                                                  signature)
                outputs = tf.nest.map_structure(lambda t: None, traced.structured_outputs)
                self._key = shared_functions.fingerprint(traced, structure, outputs,
                                                         graph_def=graph)
            self.chosen = self._variant(self._wants_xla(), traced)
        if self.uses_xla and not self._xla_ran:
            return self._first_xla_call(args)
        return self.chosen(*args)

    def _first_xla_call(self, args):
        """The first call of the XLA variant compiles it. A graph XLA cannot compile (an op
        whose shape argument is only known at run time, say, in a recurrent layer's gradient)
        runs on TensorFlow's kernels instead, from then on; nothing ran, so nothing changed."""
        try:
            out = self.chosen(*args)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as error:
            if "XLA" not in str(error):
                raise
            self._xla_impossible = True
            self.chosen = self._variant(False)
            return self.chosen(*args)
        self._xla_ran = True
        return out

    @property
    def uses_xla(self) -> bool:
        """Whether the calls run the XLA variant now (False before the first call)."""
        return self.chosen is not None and self._variants.get(True) is self.chosen

    def _wants_xla(self) -> bool:
        if self._has_conv or self._xla_impossible:
            return False
        if self._has_time_loop:
            # A recurrent layer's time loop runs TensorFlow's executor op by op for every time
            # step (26 ops forward, 57 in the gradient for an LSTM): XLA's fused loop repays its
            # compilation within a few steps (LSTM train step: 0.93x Keras 3 on TensorFlow's
            # kernels, 1.05x with XLA; benchmarks/lstm_throughput.py --backends tensorflow).
            return True
        return self.xla_min_steps is None or self.steps_expected >= self.xla_min_steps

    def _variant(self, xla: bool, traced=None):
        """The function to run, with or without XLA. A loop (``shared``) runs a concrete
        function: an earlier model's when its loop graph is this one up to names
        (``shared_functions``: no new compilation), else its own, stored for later models.
        ``compile_function`` keeps ``tf.function``s, which retrace for new input shapes."""
        if xla in self._variants:
            return self._variants[xla]
        if not self.shared:
            found = self.plain
            if xla:
                found = tf.function(self.plain, jit_compile=True, reduce_retracing=True,
                                    autograph=False)
                found.get_concrete_function(*self._signature)
        else:
            key = None if self._key is None else f"{self._key}:{'xla' if xla else 'plain'}"
            found = shared_functions.lookup(key)
            if found is None:
                if xla:
                    found = tf.function(self.plain, jit_compile=True, reduce_retracing=True,
                                        autograph=False).get_concrete_function(*self._signature)
                else:
                    found = traced or self.plain.get_concrete_function(*self._signature)
                shared_functions.store(key, found)
        self._variants[xla] = found
        return found


_WHILE_OPS = ("While", "StatelessWhile")


def _op_names(graph) -> list:
    """The op of every node of a GraphDef and of the functions in its library."""
    ops = [node.op for node in graph.node]
    for function in graph.library.function:
        ops.extend(node.op for node in function.node_def)
    return ops


def compilations() -> int:
    """How many loops this process compiled; a loop shared from a model with the same program
    (``shared_functions``) is not counted."""
    return shared_functions.compilations()


def clear_shared_programs() -> None:
    """Forgets the loops kept for sharing between models (models keep their own)."""
    shared_functions.clear()


def snapshot(x):
    return x


def unique_buffers(values):
    return list(values)


def compiled_region(fn):
    """``fn`` compiled with XLA as one cluster when called while a graph is traced.

    keraslite runs a model holding convolutions without XLA on TensorFlow (XLA's CPU
    convolutions are slow), so each elementwise op of an optimizer update is its own kernel and
    its own pass over the weights: Adam's update of VGG16's 138 M weights took 425 ms as
    TensorFlow ops and 198 ms as one XLA cluster (one pass reading and writing each array).
    Eagerly or under a ``tf.distribute`` strategy it runs as it is; inside a graph compiled
    with XLA the cluster is compiled with the rest."""
    jitted = tf.function(fn, jit_compile=True, autograph=False)

    def run(*args):
        if tf.executing_eagerly() or tf.distribute.has_strategy():
            return fn(*args)
        return jitted(*args)

    return run


def to_device(array):
    return tf.convert_to_tensor(array)


def to_device_many(arrays) -> list:
    return [tf.convert_to_tensor(a) for a in arrays]


@functools.lru_cache(maxsize=4096)
def int32_scalar(value: int):
    """An int32 scalar tensor, made once per value (a loop call's offset)."""
    return tf.constant(value, tf.int32)
