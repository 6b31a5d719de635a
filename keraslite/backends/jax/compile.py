"""Compiled multi-step loops for JAX: many training steps per ``jax.jit`` call, state donated.

The data of a whole ``fit`` lives on the device; each call receives the epoch's sample order and
runs ``n_steps`` steps, gathering each batch from the resident arrays by index.

On CPU the steps run in a ``fori_loop`` with a traced trip count, so any ``n_steps`` reuses one
compilation. On GPU/TPU a loop whose trip count is traced pays a device-to-host copy of its
condition every iteration (measured on an H100: about half the throughput of a fixed-length
``lax.scan`` for small models), so there ``n_steps`` is split into power-of-two chunks, each a
fixed-length scan compiled once: at most log2(steps) compiled variants.
"""
from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import jax
import jax.numpy as jnp
import numpy as np

from keraslite.backends.jax import executables, rnn

DONATES_STATE = True
# A compiled call returns before the device finishes, so the host already prepares the next block
# while the device computes; no prefetch thread is needed (it only competes for CPU cores).
DISPATCHES_ASYNC = True


def compile_loop(step_fn, batch_size: int, jit_compile=True, layout=None):
    """``step_fn(params, carry, batch_list) -> carry``. Returns
    ``run(params, carry, data_list, order, offset, n_steps) -> carry``; ``carry`` is donated,
    ``offset`` (a sample index) is an int32 array and ``n_steps`` a Python int.

    ``layout`` (a ``keraslite.distribution.loop_layout.LoopLayout``, or None on one device):
    the state is placed and kept in its shardings, and every batch is split over the batch
    axis; XLA's SPMD partitioner inserts the collectives."""

    def run(params, carry, data, order, offset, n_steps):
        def body(i, carry):
            idx = jax.lax.dynamic_slice_in_dim(order, offset + i * batch_size, batch_size)
            batch = [jnp.take(a, idx, axis=0) for a in data]
            if layout is None:
                return step_fn(params, carry, batch)
            batch = [_constrain(b, layout.batch(b.shape)) for b in batch]
            values, logs = step_fn(params, carry, batch)
            return [[_constrain(v, s) for v, s in zip(values, layout.carried)], logs]

        return jax.lax.fori_loop(0, n_steps, body, carry)

    # The carried state leaves each call in the layouts it came in (XLA would otherwise pick
    # output shardings of its own, and the next call would have to move the state again).
    out_shardings = None if layout is None else [layout.carried, layout.replicated]
    runner = _compile_run(run, batch_size, jit_compile, out_shardings)
    if layout is None:
        return runner

    def run_placed(params, carry, data, order, offset, n):
        values, logs = carry
        logs = {k: layout.place_replicated(v) for k, v in logs.items()}
        carry = [layout.place(values, layout.carried), logs]
        return runner(layout.place(params, layout.read_only), carry, layout.place_data(data),
                      layout.place_replicated(order), layout.place_replicated(offset), n)

    return run_placed


def _constrain(x, sharding):
    return x if sharding is None else jax.lax.with_sharding_constraint(x, sharding)


class _CompilerThreads:
    """A small pool where XLA compiles loops in the background (the compiler releases the GIL),
    so a fit's several programs (full and remainder batches, validation) compile side by side
    on a machine with more than one core instead of one after another."""

    pool = None

    @classmethod
    def submit(cls, fn):
        if cls.pool is None:
            workers = max(1, min((os.cpu_count() or 2) - 1, 4))
            cls.pool = ThreadPoolExecutor(workers, thread_name_prefix="keraslite-compile")
        return cls.pool.submit(fn)


class _CpuLoop:
    """A loop with a traced trip count (see the module docstring), whose compilation can start
    early: ``warm`` traces and lowers on the calling thread (tracing runs keraslite's Python,
    which is not thread-safe) and compiles in the background. Executables come from
    ``executables.compiled``: a model whose program another model already compiled (a tuner
    trial of the same architecture) reuses that executable and compiles nothing."""

    def __init__(self, run, kwargs):
        self.jitted = jax.jit(run, donate_argnums=(1,), **kwargs)
        self.by_signature = {}  # the arguments' structure, types and shardings -> Future
        self.last = None  # the executable of the last call

    def _executable(self, args, background: bool):
        leaves, treedef = jax.tree_util.tree_flatten(args)
        signature = (treedef, tuple((jax.typeof(leaf), getattr(leaf, "sharding", None))
                                    for leaf in leaves))
        found = self.by_signature.get(signature)
        if found is None:
            submit = _CompilerThreads.submit if background else None
            loops_before = rnn.traced_time_loops()
            lowered = self.jitted.lower(*args)
            recurrent = rnn.traced_time_loops() != loops_before
            found = executables.compiled(lowered, _cpu_options(recurrent), submit)
            self.by_signature[signature] = found
        return found

    def warm(self, params, carry, data, order, offset):
        if (os.cpu_count() or 1) > 1:
            self._executable((params, carry, data, order, offset, np.int32(1)), True)

    def __call__(self, params, carry, data, order, offset, n):
        args = (params, carry, data, order, offset, int32_scalar(n))
        last = self.last
        if last is not None:
            # Most calls repeat the previous call's signature: the executable checks the
            # arguments itself (before it runs or donates anything) and refuses others, which
            # costs less than computing the signature (tens of us for a model's state).
            try:
                return last(*args)
            except (TypeError, ValueError):  # another structure, dtype, shape or sharding
                pass
        self.last = self._executable(args, False).result()
        return self.last(*args)


def _cpu_options(recurrent: bool = False) -> dict:
    """XLA options for keraslite's loops on CPU. XLA's newer fusion emitters take about 40%
    more compilation time than its classic ones for the small programs of a fit (CPU seconds
    of a first 1-epoch fit of a 3-layer Dense model: 3.6 against 2.2, while 20 further epochs
    run as fast; see docs/tuner.md), and a short fit is mostly compilation. A program holding
    a recurrent layer's time loop (``recurrent``) keeps the newer emitters: its steps run
    5-9% faster with them (docs/recurrent-performance.md).
    ``XLA_FLAGS=--xla_cpu_use_fusion_emitters=true`` keeps them everywhere, as on TensorFlow."""
    global _CPU_OPTIONS
    if recurrent:
        return {}  # XLA's default: the newer emitters (or the user's XLA_FLAGS)
    if _CPU_OPTIONS is None:
        _CPU_OPTIONS = {}
        if "xla_cpu_use_fusion_emitters" in os.environ.get("XLA_FLAGS", ""):
            return _CPU_OPTIONS  # the user chose: XLA reads it from XLA_FLAGS
        try:  # an XLA without the option refuses it: keep its default there
            probe = jax.jit(lambda x: x + 1).lower(np.float32(0))
            probe.compile({"xla_cpu_use_fusion_emitters": False})
            _CPU_OPTIONS = {"xla_cpu_use_fusion_emitters": False}
        except Exception:  # noqa: BLE001
            pass
    return _CPU_OPTIONS


_CPU_OPTIONS = None


def _compile_run(run, batch_size, jit_compile, out_shardings=None):
    if not jit_compile:
        return run
    kwargs = {} if out_shardings is None else {"out_shardings": out_shardings}
    if jax.default_backend() == "cpu":
        return _CpuLoop(run, kwargs)
    fixed = jax.jit(run, donate_argnums=(1,), static_argnums=(5,), **kwargs)

    def run_in_chunks(params, carry, data, order, offset, n):
        done = 0
        while done < n:
            chunk = 1 << ((n - done).bit_length() - 1)  # largest power of two that fits
            carry = fixed(params, carry, data, order, offset + done * batch_size, chunk)
            done += chunk
        return carry

    return run_in_chunks


def compile_function(fn, jit_compile=True, donate_argnums=()):
    """Compiles a pure function of arrays (retraced per input shape)."""
    if not jit_compile:
        return fn
    return jax.jit(fn, donate_argnums=donate_argnums)


def compilations() -> int:
    """How many loops this process compiled; a loop shared from a model with the same program
    (``executables``) is not counted."""
    return executables.compilations()


def clear_shared_programs() -> None:
    """Forgets the loops kept for sharing between models (models keep their own)."""
    executables.clear()


def snapshot(x):
    """A copy that stays valid after the original buffer is donated to a compiled call."""
    return jax.device_put(x, may_alias=False)  # a copy without compiling a copy op per shape


def unique_buffers(values):
    """Copies any array that appears twice (a donated buffer may be passed only once)."""
    seen = set()
    out = []
    for v in values:
        if id(v) in seen:
            v = snapshot(v)
        seen.add(id(v))
        out.append(v)
    return out


def compiled_region(fn):
    """``fn`` unchanged: inside a traced JAX step XLA already fuses it with the rest (see the
    TensorFlow backend's ``compiled_region``)."""
    return fn


def to_device(array):
    return jax.device_put(np.asarray(array))


def to_device_many(arrays) -> list:
    """``[to_device(a) for a in arrays]`` in one batched transfer (one call per array costs
    about 50 us of dispatch each)."""
    return list(jax.device_put([np.asarray(a) for a in arrays]))


@functools.lru_cache(maxsize=4096)
def int32_scalar(value: int):
    """A device int32 scalar, made once per value: a loop call's offset and step count (a host
    scalar costs a transfer per call; a loop never donates these arguments)."""
    return jax.device_put(np.int32(value))
