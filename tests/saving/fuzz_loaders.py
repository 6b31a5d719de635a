"""Structure-aware fuzzing of every loader: each input must load or raise ValueError/TypeError.

The targets start from valid files of a small model and mutate them where a parser looks:
values anywhere in a model config (then the archive is resealed, so the checks behind the seal
are reached), the header fields of a safetensors file, datasets and attributes of a Keras
``.weights.h5`` file, and raw bytes of each format. ``test_fuzz_loaders.py`` runs a short seeded
pass; for a long run (see docs/hardening.md):

    KERASLITE_BACKEND=jax python tests/saving/fuzz_loaders.py --seconds 300
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import keraslite
from keraslite import layers
from keraslite.saving import archive
from keraslite.saving.serialization import deserialize_layer

ALLOWED = (ValueError, TypeError)
COUNTS: dict[str, int] = {}

# JSON values a mutation may put anywhere: edge integers, wrong types, nesting.
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.sampled_from([0, -1, 1, 2**31, 2**63, 10**12, -(2**63)]),
    st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.sampled_from(["Dense", "Functional", "relu", "float64", "__tensor__"]),
)
JSON_VALUES = st.recursive(
    _SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)


def _model():
    x = keraslite.Input((4,), name="x")
    h = layers.Dense(3, activation="relu", name="d1")(x)
    h = layers.BatchNormalization(name="bn")(h)
    out = layers.Reshape((3, 1), name="r")(layers.Dense(3, name="d2")(h))
    model = keraslite.Model(x, out, name="fuzzed")
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


class Seeds:
    """Valid files of one small model, written once per process."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="keraslite-fuzz-")
        self.model = _model()
        self.model_path = os.path.join(self.folder, "seed.keraslite")
        self.model.save(self.model_path)
        self.entries = archive.read_archive(self.model_path)
        self.config = json.loads(self.entries["config.json"])
        self.st_path = os.path.join(self.folder, "seed.safetensors")
        self.model.save_weights(self.st_path)
        with open(self.st_path, "rb") as f:
            self.st_bytes = f.read()
        self.h5_path = os.path.join(self.folder, "seed.weights.h5")
        self.model.save_weights(self.h5_path)
        with open(self.h5_path, "rb") as f:
            self.h5_bytes = f.read()
        self.counter = 0

    def path(self, suffix):
        self.counter += 1
        return os.path.join(self.folder, f"in{self.counter % 8}{suffix}")


_SEEDS: Seeds | None = None


def seeds() -> Seeds:
    global _SEEDS
    if _SEEDS is None:
        _SEEDS = Seeds()
    return _SEEDS


def _expect_clean(target, fn):
    """Runs one input: success or ValueError/TypeError; anything else is a finding."""
    COUNTS[target] = COUNTS.get(target, 0) + 1
    try:
        fn()
    except ALLOWED:
        pass


def _paths(value, prefix=()):
    """Every (path) into a JSON value, for picking where to mutate."""
    out, stack = [], [(value, prefix)]
    while stack:
        item, path = stack.pop()
        out.append(path)
        if isinstance(item, dict):
            stack.extend((v, path + (k,)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, path + (i,)) for i, v in enumerate(item))
    return out


def _mutated(config, data):
    """A deep copy of ``config`` with one to three values replaced or removed."""
    config = json.loads(json.dumps(config))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(config) if p]
        path = data.draw(st.sampled_from(paths))
        parent = config
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(JSON_VALUES)
    return config


def _flipped(raw: bytes, data) -> bytes:
    buffer = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(buffer) - 1))
        buffer[at] ^= 1 << data.draw(st.integers(0, 7))
    if data.draw(st.booleans()):
        buffer = buffer[: data.draw(st.integers(0, len(buffer)))]
    return bytes(buffer)


# --- targets (each takes hypothesis' ``data``) -------------------------------------------------


def model_config_target(data):
    s = seeds()
    config = _mutated(s.config, data)
    entries = dict(s.entries, **{"config.json": json.dumps(config).encode()})
    path = s.path(".keraslite")
    archive.write_archive(path, entries)
    _expect_clean("load_model(config)", lambda: keraslite.models.load_model(path))


def from_config_target(data):
    s = seeds()
    config = _mutated(s.config["model"], data)
    _expect_clean("from_config", lambda: deserialize_layer(config))


def archive_bytes_target(data):
    s = seeds()
    with open(s.model_path, "rb") as f:
        raw = _flipped(f.read(), data)
    path = s.path(".keraslite")
    with open(path, "wb") as f:
        f.write(raw)
    entry = data.draw(st.sampled_from(["load_model", "load_weights"]))
    fn = (lambda: keraslite.models.load_model(path)) if entry == "load_model" else \
        (lambda: _model().load_weights(path))
    _expect_clean(f"{entry}(bytes)", fn)


def safetensors_target(data):
    s = seeds()
    raw = s.st_bytes
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    names = [k for k in header if k != "__metadata__"]
    name = data.draw(st.sampled_from(names))
    field = data.draw(st.sampled_from(["dtype", "shape", "data_offsets", "entry", "metadata"]))
    if field == "entry":
        header[name] = data.draw(JSON_VALUES)
    elif field == "metadata":
        header.pop("__metadata__", None)  # unchecked: reaches the entry validation
    else:
        header[name][field] = data.draw(st.one_of(
            JSON_VALUES, st.lists(st.sampled_from([0, 1, 3, 2**32, 2**62, 2**63]), max_size=4)))
    text = json.dumps(header).encode()
    text += b" " * (-(8 + len(text)) % 8)
    if data.draw(st.booleans()):
        body = _flipped(body, data) if body else body
    path = s.path(".safetensors")
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + body)
    _expect_clean("load_weights(safetensors)", lambda: _model().load_weights(path))


def h5_target(data):
    import h5py

    s = seeds()
    path = s.path(".weights.h5")
    if data.draw(st.booleans()):
        with open(path, "wb") as f:
            f.write(_flipped(s.h5_bytes, data))
    else:
        with open(path, "wb") as f:
            f.write(s.h5_bytes)
        with h5py.File(path, "r+") as h5:
            datasets = []
            h5.visititems(lambda n, o: datasets.append(n) if isinstance(o, h5py.Dataset) else None)
            name = data.draw(st.sampled_from(datasets))
            del h5[name]
            choice = data.draw(st.sampled_from(["shape", "dtype", "missing", "string"]))
            if choice == "shape":
                shape = tuple(data.draw(st.lists(st.integers(0, 5), max_size=3)))
                h5[name] = np.zeros(shape, "float32")
            elif choice == "dtype":
                h5[name] = np.zeros((3,), data.draw(st.sampled_from(["int8", "float16", "bool",
                                                                      "complex64"])))
            elif choice == "string":
                h5[name] = np.array([b"abc"])
    _expect_clean("load_weights(h5)", lambda: _model().load_weights(path))


_LEGACY = {}


def _legacy_vlen_h5(s) -> bytes:
    """The seed model as a legacy .h5 with variable-length string names, as Keras 3's
    ``model.save("x.h5")`` writes them (built once)."""
    if "bytes" not in _LEGACY:
        import h5py

        path = s.path(".h5")
        str_dtype = h5py.string_dtype()
        with h5py.File(path, "w") as f:
            layers_with_weights = [layer for layer in s.model.layers if layer.weights]
            f.attrs.create("layer_names", [layer.name for layer in layers_with_weights],
                           dtype=str_dtype)
            for layer in layers_with_weights:
                group = f.create_group(layer.name)
                names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
                group.attrs.create("weight_names", names, dtype=str_dtype)
                for name, w in zip(names, layer.get_weights()):
                    group[name] = w
        with open(path, "rb") as f:
            _LEGACY["bytes"] = f.read()
    return _LEGACY["bytes"]


def legacy_h5_target(data):
    """Byte flips in a legacy .h5 whose names sit in global heap collections, half of them
    inside the first collection (its header and objects)."""
    s = seeds()
    raw = bytearray(_legacy_vlen_h5(s))
    start = raw.find(b"GCOL")
    if data.draw(st.booleans()) and start >= 0:
        for _ in range(data.draw(st.integers(1, 4))):
            at = start + data.draw(st.integers(0, min(256, len(raw) - start - 1)))
            raw[at] = data.draw(st.integers(0, 255))
        mutated = bytes(raw)
    else:
        mutated = _flipped(bytes(raw), data)
    path = s.path(".h5")
    with open(path, "wb") as f:
        f.write(mutated)
    _expect_clean("load_weights(legacy h5)", lambda: _model().load_weights(path))


TARGETS = {
    "model_config": model_config_target,
    "from_config": from_config_target,
    "archive_bytes": archive_bytes_target,
    "safetensors": safetensors_target,
    "h5": h5_target,
    "legacy_h5": legacy_h5_target,
}


def run(target, max_examples, seed=None):
    """Runs ``target`` under hypothesis; seed None gives a fixed (derandomized) sequence."""
    options = dict(max_examples=max_examples, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck), derandomize=seed is None)

    @settings(**options)
    @given(st.data())
    def fuzz(data):
        TARGETS[target](data)

    if seed is not None:
        from hypothesis import seed as hypothesis_seed

        fuzz = hypothesis_seed(seed)(fuzz)
    fuzz()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args(argv)
    end, seed = time.monotonic() + args.seconds, 0
    while time.monotonic() < end:
        for target in TARGETS:
            run(target, args.batch, seed=seed)
            seed += 1
        print(json.dumps({"inputs": COUNTS, "total": sum(COUNTS.values())}), flush=True)
    print(f"fuzzed {sum(COUNTS.values())} inputs, no finding (every input loaded or raised "
          "ValueError/TypeError)")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
        __file__)))))
    main()
