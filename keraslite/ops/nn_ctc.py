"""Connectionist temporal classification: ``ctc_loss`` (log-space forward recursion) and
``ctc_decode`` (greedy on any backend; beam search on concrete values)."""
from __future__ import annotations

import numpy as np

from keraslite.backends import core as _core
from keraslite.backends import nn as _nn
from keraslite.backends import numpy as _np
from keraslite.ops.dispatch import keras_op

_NEG = -1e30  # log(0) without the NaN gradients of -inf


def _lse(*terms):
    m = terms[0]
    for t in terms[1:]:
        m = _np.maximum(m, t)
    total = _np.zeros_like(m)
    for t in terms:
        total = _np.add(total, _np.exp(_np.subtract(t, m)))
    return _np.add(m, _np.log(total))


def _shift(a, k):
    """``a`` moved ``k`` places right along the last axis, log(0) coming in."""
    pad = _np.full_like(a[:, :k], _NEG)
    return _np.concatenate([pad, a[:, :-k]], 1)


def _tensor(x, name, rank, dtype=None):
    x = _np.array(x) if not hasattr(x, "shape") else x
    if len(x.shape) != rank:
        raise ValueError(f"ops.ctc_loss: argument `{name}` must have rank {rank}. "
                         f"Received: {name}.shape={tuple(x.shape)}")
    return x if dtype is None else _core.cast(x, dtype)


@keras_op
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Negative log-likelihood of each ``target`` (B, S) under the logits ``output``
    (B, T, C), of which the first ``target_length`` / ``output_length`` steps count."""
    target = _tensor(target, "target", 2, "int32")
    output = _tensor(output, "output", 3)
    if not _core.standardize_dtype(output.dtype).startswith(("float", "bfloat")):
        output = _np.multiply(output, 1.0)
    target_length = _tensor(target_length, "target_length", 1, "int32")
    output_length = _tensor(output_length, "output_length", 1, "int32")
    log_probs = _nn.log_softmax(_core.cast(output, "float32"), -1)
    s = target.shape[1]
    steps = output.shape[1]
    # extended labels: blank, t1, blank, t2, ..., blank
    blank = _np.full_like(target, mask_index)
    ext = _np.reshape(_np.stack([blank, target], 2), (-1, 2 * s))
    ext = _np.concatenate([ext, _np.full_like(target[:, :1], mask_index)], 1)
    length = 2 * s + 1
    emit = _np.take_along_axis(
        log_probs, _np.broadcast_to(_np.expand_dims(ext, 1),
                                    (_np.shape(ext)[0], steps, length)), 2)
    # a skip over a blank is allowed into a label differing from the one two places back
    skip_ok = _np.logical_and(_np.not_equal(ext, mask_index),
                              _np.not_equal(ext, _np.concatenate([ext[:, :2], ext[:, :-2]], 1)))
    pos = _np.arange(length, dtype="int32")
    alpha0 = _np.where(_np.less(pos, 2), emit[:, 0], _NEG)

    def step(alpha, inputs):
        e, t = inputs
        new = _lse(alpha, _shift(alpha, 1), _np.where(skip_ok, _shift(alpha, 2), _NEG))
        new = _np.add(new, e)
        live = _np.expand_dims(_np.less(t, output_length), 1)
        return _np.where(live, new, alpha), t  # (TF's scan needs some per-step output)

    xs = (_np.moveaxis(emit[:, 1:], 1, 0), _np.arange(1, steps, dtype="int32"))
    alpha, _ = _core.scan(step, alpha0, xs) if steps > 1 else (alpha0, None)
    last = _np.expand_dims(_np.multiply(target_length, 2), 1)
    end = _np.take_along_axis(alpha, last, 1)[:, 0]
    before = _np.take_along_axis(alpha, _np.maximum(_np.subtract(last, 1), 0), 1)[:, 0]
    before = _np.where(_np.greater(target_length, 0), before, _NEG)
    return _np.negative(_lse(end, before))


def _check_decode(inputs, sequence_lengths, strategy, top_paths, beam_width):
    inputs = _np.array(inputs) if not hasattr(inputs, "shape") else inputs
    if len(inputs.shape) != 3:
        raise ValueError("ops.ctc_decode: argument `inputs` must have shape (batch, steps, "
                         f"classes). Received: inputs.shape={tuple(inputs.shape)}")
    if strategy not in ("greedy", "beam_search"):
        raise ValueError("ops.ctc_decode: argument `strategy` must be 'greedy' or "
                         f"'beam_search'. Received: strategy={strategy!r}")
    if strategy == "beam_search" and not (1 <= top_paths <= beam_width):
        raise ValueError("ops.ctc_decode: `top_paths` must be between 1 and `beam_width`. "
                         f"Received: top_paths={top_paths!r}, beam_width={beam_width!r}")
    return inputs, _core.cast(sequence_lengths, "int32")


def _greedy(inputs, lengths, merge_repeated, mask_index):
    log_probs = _nn.log_softmax(_core.cast(inputs, "float32"), -1)
    steps = inputs.shape[1]
    best = _core.cast(_np.argmax(log_probs, -1), "int32")
    t = _np.arange(steps, dtype="int32")
    valid = _np.less(_np.expand_dims(t, 0), _np.expand_dims(lengths, 1))
    keep = _np.logical_and(valid, _np.not_equal(best, mask_index))
    if merge_repeated:
        previous = _np.concatenate([_np.full_like(best[:, :1], -1), best[:, :-1]], 1)
        keep = _np.logical_and(keep, _np.not_equal(best, previous))
    # stable compaction: kept steps first, in order
    order = _np.argsort(_np.where(keep, t, _np.add(t, steps)), -1)
    packed = _np.take_along_axis(best, order, 1)
    count = _np.sum(_core.cast(keep, "int32"), 1, True)
    decoded = _np.where(_np.less(_np.expand_dims(t, 0), count), packed, -1)
    # Keras's greedy score: minus the summed best raw input of each counted step
    score = _np.sum(_np.where(valid, _np.max(_core.cast(inputs, "float32"), -1), 0.0), 1, True)
    return _np.expand_dims(decoded, 0), _np.negative(score)


def _beam_one(log_probs, beam_width, top_paths, mask_index, merge_repeated):
    """CTC prefix beam search over one sequence's log-probabilities (steps, classes)."""
    beams = {(): (0.0, -np.inf)}  # prefix -> (log p ending in blank, log p ending in label)
    for row in log_probs:
        nxt: dict = {}

        def add(prefix, blank, label):
            b, n = nxt.get(prefix, (-np.inf, -np.inf))
            nxt[prefix] = (np.logaddexp(b, blank), np.logaddexp(n, label))

        for prefix, (pb, pn) in beams.items():
            total = np.logaddexp(pb, pn)
            add(prefix, total + row[mask_index], -np.inf)
            for c in range(len(row)):
                if c == mask_index:
                    continue
                p = row[c]
                if prefix and prefix[-1] == c and merge_repeated:
                    add(prefix, -np.inf, pn + p)  # the repeat folds into the same label
                    add(prefix + (c,), -np.inf, pb + p)  # a blank separated them
                else:
                    add(prefix + (c,), -np.inf, total + p)
        ranked = sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(beams.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:top_paths]
    return [(list(p), float(np.logaddexp(*s))) for p, s in ranked]


@keras_op
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Label sequences from logits ``inputs`` (B, T, C): ``(decoded, log_probs)`` with
    ``decoded`` (top_paths, B, T) padded with -1. Greedy takes the best class per step, with
    minus the sum of each step's best input as score (as Keras); beam search keeps
    ``beam_width`` prefixes and scores each path by its log-probability (it needs concrete values)."""
    inputs, lengths = _check_decode(inputs, sequence_lengths, strategy, top_paths, beam_width)
    if strategy == "greedy":
        return _greedy(inputs, lengths, merge_repeated, mask_index)
    try:
        probs = np.asarray(_core.convert_to_numpy(_nn.log_softmax(
            _core.cast(inputs, "float32"), -1)), "float64")
        lengths_np = np.asarray(_core.convert_to_numpy(lengths))
    except Exception as error:
        raise ValueError("ops.ctc_decode: strategy='beam_search' needs concrete `inputs` (it "
                         "cannot run inside a compiled function); use 'greedy' there.") from error
    batch, steps = probs.shape[:2]
    decoded = -np.ones((top_paths, batch, steps), "int32")
    scores = np.full((batch, top_paths), -np.inf, "float32")
    for b in range(batch):
        paths = _beam_one(probs[b, :lengths_np[b]], beam_width, top_paths, mask_index,
                          merge_repeated)
        for k, (labels, score) in enumerate(paths):
            decoded[k, b, :len(labels)] = labels
            scores[b, k] = score
    return _np.array(decoded), _np.array(scores)


__all__ = ["ctc_loss", "ctc_decode"]
