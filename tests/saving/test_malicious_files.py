"""A corpus of crafted hostile files, loaded through the public entry points under an audit hook.

Every file is built here from a valid saved model, and re-sealed where the attack has to get past
the archive's checksum to reach the config parser. One subprocess (audit hooks cannot be removed)
loads them all with ``keraslite.models.load_model`` or ``model.load_weights`` and reports, per
file, the exception and the audit events seen while loading it (see malicious_loader.py).

Each file must be refused with a ValueError/TypeError subclass (CorruptFileError,
UnsafeFileError, or a ValueError naming the problem) whose message names the file or the
offending class or entry; the load must not compile or run code, import a module, start a
process, touch the network or open any other file; and a failed ``load_weights`` must leave the
model's weights unchanged.
"""
from __future__ import annotations

import base64
import contextlib
import copy
import errno
import hashlib
import io
import json
import marshal
import os
import pickle
import stat
import struct
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import keraslite
from keraslite import layers, ops
from keraslite.saving import archive
from keraslite.saving.model_file import CONFIG_ENTRY, WEIGHTS_ENTRY

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LOADER = HERE / "malicious_loader.py"

CLEAR_ERRORS = ("ValueError", "TypeError")  # CorruptFileError/UnsafeFileError are ValueErrors


# --- the valid base model ------------------------------------------------------------------


def _base_model():
    inputs = keraslite.Input((4,), name="x")
    hidden = layers.Dense(3, activation="relu", name="hidden", kernel_regularizer="l2",
                          kernel_constraint="non_neg")(inputs)
    doubled = ops.relu(hidden * 2.0)  # two OpLayers: a target for the op-name attacks
    outputs = layers.Dense(2, name="out")(doubled)
    model = keraslite.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    model.train_on_batch(rng.standard_normal((4, 4)).astype("float32"),
                         rng.standard_normal((4, 2)).astype("float32"))
    return model


def _legacy_h5(path, model, plant=None):
    """A legacy Keras 2 weight file for ``model``; ``plant(file)`` may add something hostile."""
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([b"hidden", b"out"])
        for name in ("hidden", "out"):
            layer = model.get_layer(name)
            group = f.create_group(name)
            group.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(),
                                                    f"{name}/bias:0".encode()])
            inner = group.create_group(name)
            inner.create_dataset("kernel:0", data=layer.kernel.numpy())
            inner.create_dataset("bias:0", data=layer.bias.numpy())
        if plant is not None:
            plant(f)
    return path


# --- zip and safetensors crafting ------------------------------------------------------------


def _seal(data: bytes) -> bytes:
    """Seal a comment-less zip the way keraslite does (the SHA-256 of every byte before it)."""
    assert data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\x00\x00"
    body = data[:-2] + struct.pack("<H", 81)
    return body + b"keraslite-sha256:" + hashlib.sha256(body).hexdigest().encode()


def _zip(entries, method=zipfile.ZIP_STORED) -> bytes:
    """A zip of (name, bytes[, mode]) entries, names written byte for byte, duplicates allowed.

    zipfile rewrites some names ("C:\\x" -> "x", "a\\x00b" -> "a"), so each entry is written
    under a placeholder of the same length and its name patched into the local header and the
    central directory afterwards.
    """
    buffer, names = io.BytesIO(), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(buffer, "w") as zf:
            for i, (name, data, *mode) in enumerate(entries):
                raw = name.encode()
                info = zipfile.ZipInfo("p" * len(raw), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = method
                info.create_system = 3
                info.external_attr = (mode[0] if mode else stat.S_IFREG | 0o644) << 16
                zf.writestr(info, data)
                names.append(raw)
    out = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(out))) as zf:
        infos = zf.infolist()
    for info, raw in zip(infos, names):  # local headers: the name is at offset 30
        assert out[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
        out[info.header_offset + 30:info.header_offset + 30 + len(raw)] = raw
    at = struct.unpack_from("<L", out, len(out) - 6)[0]  # central directory offset
    for raw in names:  # central records: the name is at offset 46
        assert out[at:at + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<3H", out, at + 28)
        out[at + 46:at + 46 + name_len] = raw
        at += 46 + name_len + extra_len + comment_len
    return bytes(out)


def _deflated_bomb(name: str, size: int) -> bytes:
    """An unsealed zip with one entry of ``size`` zero-ish bytes, deflated while streaming."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(name, "w") as stream:
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                stream.write(chunk)
    return buffer.getvalue()


def _safetensors(header, data: bytes = b"", header_len: int | None = None) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    raw += b" " * (-(8 + len(raw)) % 8)
    return struct.pack("<Q", len(raw) if header_len is None else header_len) + raw + data


def _entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


# --- the corpus ---------------------------------------------------------------------------------


class Corpus:
    """Writes the crafted files and remembers, per file, how to load it and what must be said."""

    def __init__(self, folder: Path, model):
        self.folder = folder
        self.model = model
        self.files = []
        folder.mkdir()
        base = folder / "base.keraslite"
        model.save(str(base))
        self.entries = archive.read_archive(base)
        self.config = json.loads(self.entries[CONFIG_ENTRY])
        self.weights_bytes = self.entries[WEIGHTS_ENTRY]
        self.base = base

    def path(self, name: str) -> Path:
        return self.folder / name

    def add(self, name: str, data: bytes, expect=(), entry="load_model", errors=CLEAR_ERRORS,
            attack=""):
        """Registers ``data`` as a corpus file: loading it must raise an exception whose class
        (or a base) is in ``errors``, with a message naming the file and, when ``expect`` is
        given, one of ``expect`` (the offending class, field or entry)."""
        path = self.path(name)
        path.write_bytes(data)
        self.register(path, expect, entry, errors, attack)

    def register(self, path, expect=(), entry="load_model", errors=CLEAR_ERRORS, attack=""):
        self.files.append({"path": str(path), "entry": entry, "expect": list(expect),
                           "errors": list(errors), "attack": attack or path.name,
                           "control": False})

    def control(self, path, entry):
        """A valid file, loaded in the same run: it must load, with no event recorded."""
        self.files.append({"path": str(path), "entry": entry, "expect": [], "errors": [],
                           "attack": "none (valid file)", "control": True})

    def sealed(self, name: str, entries: dict, **kwargs):
        """A properly sealed keraslite archive of ``entries`` (as model.save writes them)."""
        path = self.path(name)
        archive.write_archive(path, entries)
        self.register(path, **kwargs)

    def with_config(self, name: str, mutate, **kwargs):
        """The base model's archive with ``mutate(config)`` applied to its config, re-sealed."""
        config = copy.deepcopy(self.config)
        mutate(config)
        self.sealed(name, {CONFIG_ENTRY: json.dumps(config).encode(),
                           WEIGHTS_ENTRY: self.weights_bytes}, **kwargs)

    def with_config_text(self, name: str, text: bytes, **kwargs):
        self.sealed(name, {CONFIG_ENTRY: text, WEIGHTS_ENTRY: self.weights_bytes}, **kwargs)

    def with_weights(self, name: str, weights: bytes, **kwargs):
        self.sealed(name, {CONFIG_ENTRY: self.entries[CONFIG_ENTRY], WEIGHTS_ENTRY: weights},
                    **kwargs)


def _layer(config, name):
    """The functional config entry of the layer called ``name``."""
    for entry in config["model"]["config"]["layers"]:
        if entry["config"].get("name") == name:
            return entry
    raise AssertionError(f"no layer {name!r} in the base config")


def _op_layers(config):
    return [e for e in config["model"]["config"]["layers"] if e["class_name"] == "OpLayer"]


def _set_class(name):
    def mutate(config):
        _layer(config, "hidden")["class_name"] = name
    return mutate


def _set_field(layer_name, field, value):
    def mutate(config):
        _layer(config, layer_name)["config"][field] = value
    return mutate


def _set_compile(field, value):
    def mutate(config):
        config["compile_config"][field] = value
    return mutate


def _nested_sequential(depth):
    inner = {"class_name": "Sequential", "config": {"name": "s", "layers": []}}
    for _ in range(depth):
        inner = {"class_name": "Sequential", "config": {"name": "s", "layers": [inner]}}
    return inner


def build_corpus(folder: Path, model) -> Corpus:  # noqa: PLR0915 - one line per attack
    c = Corpus(folder, model)

    # 1. Class names that are code, not keraslite classes (module paths, builtins, loaders).
    for i, name in enumerate([
        "os.system", "subprocess.Popen", "builtins.eval", "builtins.exec", "__import__",
        "keraslite.models.load_model", "load_model", "keraslite.saving.model_file.load_model",
        "keraslite.saving.atomic_io.atomic_write_bytes", "posix.system", "eval", "exec",
        "getattr", "__builtins__", "Model.__subclasses__", "object", "type", "InputSpec",
        "keraslite.layers.InputSpec",
    ]):
        c.with_config(f"class_{i:02d}.keraslite", _set_class(name), expect=[repr(name)],
                      attack=f"layer class_name {name!r}")
    # Abstract bases and the model classes where a plain layer is expected.
    for name in ["Layer", "BaseConv", "BaseMerge", "BasePooling", "Model", "Functional"]:
        c.with_config(f"class_{name}.keraslite", _set_class(name), expect=[name, "hidden"],
                      attack=f"layer class_name {name!r} (an abstract or model class)")
    c.with_config("empty_Sequential.keraslite",
                  lambda cfg: _layer(cfg, "hidden").update(class_name="Sequential",
                                                           config={"name": "hidden"}),
                  expect=["needs a 'layers' list", "hidden"],
                  attack="a Sequential config with nothing to wrap")
    for name in ["RNN", "Bidirectional"]:  # wrappers without what they wrap
        c.with_config(f"empty_{name}.keraslite",
                      lambda cfg, name=name: _layer(cfg, "hidden").update(
                          class_name=name, config={"name": "hidden"}),
                      expect=["malformed"], errors=["CorruptFileError"],
                      attack=f"a {name} config with nothing to wrap")
    c.with_config("model_class_os_system.keraslite",
                  lambda cfg: cfg["model"].__setitem__("class_name", "os.system"),
                  expect=["'os.system'"], attack="model class_name 'os.system'")

    # 2. Keras-3 style "module"/"registered_name" fields pointing at os/subprocess.
    def module_fields(module, cls, registered):
        def mutate(config):
            entry = _layer(config, "hidden")
            entry.update(module=module, class_name=cls, registered_name=registered)
            entry["config"] = {"command": "touch /tmp/keraslite-pwned", "args": ["id"]}
        return mutate

    c.with_config("module_os.keraslite", module_fields("os", "system", "os>system"),
                  expect=["'system'"], attack="module 'os', class_name 'system'")
    c.with_config("module_subprocess.keraslite",
                  module_fields("subprocess", "Popen", "subprocess>Popen"),
                  expect=["'Popen'"], attack="module 'subprocess', class_name 'Popen'")
    c.with_config("registered_subprocess.keraslite",
                  module_fields("subprocess", "subprocess>Popen", "subprocess>Popen"),
                  expect=["'subprocess>Popen'"], attack="class_name 'subprocess>Popen'")

    # 3. Lambda layers: code as base64 marshal / pickle bytes, or a function name.
    code = base64.b64encode(marshal.dumps(compile("__import__('os').system('id')", "x", "exec")))
    pickled = base64.b64encode(pickle.dumps(os.system))

    def lambda_layer(function, function_type="lambda"):
        def mutate(config):
            entry = _layer(config, "hidden")
            entry["class_name"] = "Lambda"
            entry["config"] = {"name": "hidden", "function": function,
                               "function_type": function_type, "module": "os",
                               "output_shape": None, "arguments": {}}
        return mutate

    c.with_config("lambda_marshal.keraslite", lambda_layer([code.decode(), None, None]),
                  expect=["Lambda"], attack="Lambda with base64 marshal bytecode")
    c.with_config("lambda_pickle.keraslite", lambda_layer(pickled.decode(), "raw"),
                  expect=["Lambda"], attack="Lambda with a base64 pickle of os.system")
    c.with_config("lambda_name.keraslite", lambda_layer("os.system", "function"),
                  expect=["Lambda"], attack="Lambda naming the function 'os.system'")
    c.with_config("lambda_plain.keraslite", _set_class("Lambda"), expect=["Lambda"],
                  attack="class_name 'Lambda' with a Dense config")

    def lambda_only_function(config):
        entry = _layer(config, "hidden")
        entry["class_name"] = "Lambda"
        entry["config"] = {"name": "hidden", "function": "lambda x: __import__('os').system('id')"}
    c.with_config("lambda_source.keraslite", lambda_only_function, expect=["function"],
                  attack="Lambda whose function is Python source text")
    c.with_config("lambda_dict.keraslite", lambda_layer(
        {"class_name": "function", "config": "system", "module": "os"}),
        expect=["Lambda"], attack="Lambda with a Keras-3 function config for os.system")

    # 4. OpLayers naming ops that are not keraslite.ops functions.
    for i, op in enumerate(["system", "__class__", "eval", "getattr", "__import__",
                            "__builtins__", "dispatch", "keras_tensor", ["relu"]]):
        def mutate(config, op=op):
            _op_layers(config)[1]["config"]["op"] = op
        c.with_config(f"op_{i}.keraslite", mutate, expect=[repr(op)],
                      attack=f"OpLayer op {op!r}")

    # 5. Activations / initializers / regularizers / constraints naming code.
    for i, (field, value, expect) in enumerate([
        ("activation", "os.system", "os.system"),
        ("activation", "eval", "'eval'"),
        ("activation", {"module": "builtins", "class_name": "function", "config": "eval",
                        "registered_name": "function"}, "eval"),
        ("activation", {"module": "os", "class_name": "system", "config": {}}, "system"),
        ("kernel_initializer", {"module": "os", "class_name": "system",
                                "config": {"command": "id"}}, "system"),
        ("kernel_initializer", "os.system", "os.system"),
        ("bias_initializer", {"module": "subprocess", "class_name": "Popen",
                              "config": {"args": ["id"]}}, "Popen"),
        ("kernel_regularizer", {"module": "builtins", "class_name": "eval",
                                "config": {"source": "1"}}, "eval"),
        ("kernel_regularizer", "os.system", "os.system"),
        ("kernel_constraint", {"module": "os", "class_name": "system", "config": {}}, "system"),
        ("kernel_constraint", "builtins.exec", "builtins.exec"),
        ("dtype", {"module": "os", "class_name": "system", "config": {"name": "id"}}, "hidden"),
    ]):
        c.with_config(f"field_{i:02d}_{field}.keraslite", _set_field("hidden", field, value),
                      expect=[expect], attack=f"{field} = {json.dumps(value)[:70]}")

    # 6. compile_config: losses, metrics, optimizer and schedule naming code.
    for i, (field, value, expect) in enumerate([
        ("loss", "os.system", "os.system"),
        ("loss", {"module": "subprocess", "class_name": "Popen", "config": {"args": "id"}},
         "Popen"),
        ("loss", {"class_name": "os>system", "config": {}}, "os>system"),
        ("metrics", ["builtins.exec"], "builtins.exec"),
        ("metrics", [{"module": "os", "class_name": "system", "config": {}}], "system"),
        ("optimizer", {"module": "os", "class_name": "system", "config": {}}, "system"),
        ("optimizer", {"class_name": "Adam", "config": {"learning_rate": {
            "module": "builtins", "class_name": "eval", "config": {"source": "1"}}}}, "eval"),
    ]):
        c.with_config(f"compile_{i}_{field}.keraslite", _set_compile(field, value),
                      expect=[expect], attack=f"compile {field} = {json.dumps(value)[:60]}")

    # 7. custom_objects-style injection: names mapped to code inside the file.
    def custom_objects_top(config):
        config["custom_objects"] = {"Dense": "os.system"}
        _layer(config, "hidden")["class_name"] = "Evil"
    c.with_config("custom_objects_top.keraslite", custom_objects_top, expect=["'Evil'"],
                  attack="top-level custom_objects mapping a class to 'os.system'")
    c.with_config("custom_objects_layer.keraslite",
                  _set_field("hidden", "custom_objects", {"relu": "os.system"}),
                  expect=["custom_objects"], attack="layer config with a custom_objects field")

    # 8. Malformed structure where a class or list is expected.
    c.with_config("sequential_without_layers.keraslite",
                  lambda cfg: cfg.__setitem__("model", {"class_name": "Sequential",
                                                        "config": {"name": "s"}}),
                  expect=["layers"], attack="Sequential config without 'layers'")
    c.with_config("layer_config_string.keraslite",
                  lambda cfg: _layer(cfg, "hidden").__setitem__("config", "os.system"),
                  expect=["config", "os.system"], attack="a layer's config is a string")
    c.with_config("class_name_list.keraslite", _set_class(["os", "system"]),
                  expect=["class_name"], attack="class_name is a list")
    c.with_config("negative_node_reference.keraslite",
                  lambda cfg: cfg["model"]["config"].__setitem__("outputs",
                                                                 {"__tensor__": [3, -5, 0]}),
                  expect=["[3, -5, 0]"], attack="tensor reference with a negative node index")
    c.with_config("layers_dict.keraslite",
                  lambda cfg: cfg["model"]["config"].__setitem__("layers", {"a": "os.system"}),
                  expect=["layers"], attack="'layers' is a dict, not a list")
    c.with_config("build_shape_string.keraslite",
                  lambda cfg: _layer(cfg, "hidden").__setitem__("build_config",
                                                                {"input_shape": "os.system"}),
                  expect=["shape", "os.system"], attack="build_config input_shape is a string")
    c.with_config("dtype_object.keraslite", _set_field("hidden", "dtype", "object"),
                  expect=["object"], attack="layer dtype 'object' (Python objects)")
    # Refused at construction: no axis may exceed allocation_budget.MAX_DIMENSION.
    c.with_config("huge_dense.keraslite", _set_field("hidden", "units", 2**40),
                  expect=["`units`", "larger than any axis", "hidden"],
                  attack="Dense units 2**40 (a 12 TiB kernel)")
    # Allocatable in principle, but more than the file's weights: the file budget refuses it.
    c.with_config("large_dense.keraslite", _set_field("hidden", "units", 2**28),
                  expect=["bytes of weights", "file holds"], errors=["UnsafeFileError"],
                  attack="Dense units 2**28 (a kernel the file does not hold)")
    c.with_config("format_version_huge.keraslite",
                  lambda cfg: cfg.__setitem__("format_version", 10**30),
                  expect=["format version"], attack="format_version 10**30")

    # 9. Recursion and size bombs in config.json.
    c.with_config_text("nested_lists.keraslite", b"[" * 100_000 + b"]" * 100_000,
                       expect=[CONFIG_ENTRY], attack="config.json of 100000 nested lists")
    c.register(c.path("nested_lists.keraslite"), [CONFIG_ENTRY], "load_weights",
               attack="config.json of 100000 nested lists, via load_weights")
    c.with_config("nested_sequential.keraslite",
                  lambda cfg: cfg.__setitem__("model", _nested_sequential(300)),
                  expect=["nested"], attack="300 Sequential configs nested in each other")
    c.with_config("nested_arguments.keraslite",
                  lambda cfg: _op_layers(cfg)[0]["config"].__setitem__(
                      "arguments", json.loads("[" * 900 + "]" * 900)),
                  expect=["nested"], attack="OpLayer arguments nested 900 lists deep")
    c.with_config("nested_activation.keraslite", _set_field("hidden", "activation", json.loads(
        '{"class_name": "function", "config": ' * 400 + '"relu"' + "}" * 400)),
        expect=["nested"], attack="activation config nested 400 dicts deep")
    c.add("config_zip_bomb.keraslite", _seal(_deflated_bomb(CONFIG_ENTRY, 256 << 20)),
          expect=["zip bomb"], errors=["UnsafeFileError"],
          attack="config.json deflated from 256 MB of spaces")

    # 10. Zip structure attacks (need hand-made, re-sealed zips).
    config_bytes, weights = c.entries[CONFIG_ENTRY], c.weights_bytes
    for i, name in enumerate(["../evil", "/etc/passwd", "C:\\evil", "a\\..\\b",
                              "config.json/../../x", "a\x00b"]):
        c.add(f"entry_name_{i}.keraslite", _seal(_zip([(CONFIG_ENTRY, config_bytes),
                                                       (WEIGHTS_ENTRY, weights),
                                                       (name, b"pwned")])),
              expect=[repr(name)], errors=["UnsafeFileError"], attack=f"entry named {name!r}")
    c.add("symlink_entry.keraslite", _seal(_zip([
        (CONFIG_ENTRY, b"/etc/passwd", stat.S_IFLNK | 0o777), (WEIGHTS_ENTRY, weights)])),
        expect=["symbolic link"], errors=["UnsafeFileError"],
        attack="config.json is a symbolic link to /etc/passwd")
    c.add("duplicate_entries.keraslite", _seal(_zip([
        (CONFIG_ENTRY, config_bytes), (WEIGHTS_ENTRY, weights),
        (CONFIG_ENTRY, b'{"format": "keraslite.model", "model": {"class_name": "os.system"}}')])),
        expect=["twice"], errors=["UnsafeFileError"], attack="config.json appears twice")
    c.add("too_many_entries.keraslite", _seal(_zip(
        [(CONFIG_ENTRY, config_bytes), (WEIGHTS_ENTRY, weights)]
        + [(f"e{i}", b"") for i in range(5000)])),
        expect=["entries", "central directory"], errors=["UnsafeFileError"],
        attack="5002 entries")
    c.add("weights_zip_bomb.keraslite", _seal(_deflated_bomb(WEIGHTS_ENTRY, 256 << 20)),
          expect=["zip bomb"], errors=["UnsafeFileError"],
          attack="weights entry deflated from 256 MB")
    c.add("unsealed_zip.keraslite", _zip([(CONFIG_ENTRY, config_bytes), (WEIGHTS_ENTRY, weights)]),
          expect=["checksum"], errors=["CorruptFileError"], attack="valid entries, no seal")

    # 11. Hostile safetensors headers inside a sealed model archive.
    f32 = _entry("F32", [2], 0, 8)
    for i, (header, data, header_len, errors, attack) in enumerate([
        ({"vars/0": _entry("F64", [2**32, 2**32], 0, 8)}, bytes(8), None, ["UnsafeFileError"],
         "shape product overflowing 64 bits"),
        ({"vars/0": _entry("F32", [2**31, 2**31, 2**31], 0, 8)}, bytes(8), None,
         ["UnsafeFileError"], "shape product 2**93 * 4 bytes"),
        ({"vars/0": f32, "vars/1": _entry("F32", [2], 4, 12)}, bytes(12), None,
         ["CorruptFileError"], "overlapping data offsets"),
        ({"vars/0": _entry("F32", [2], 4096, 4104)}, bytes(8), None, ["CorruptFileError"],
         "data offsets past the end"),
        (b"{}", b"", 2**64 - 1, ["UnsafeFileError"], "header length 2**64-1"),
        ({"vars/0": _entry("F32", [100000, 100000], 0, 40_000_000_000)}, bytes(8), None,
         ["UnsafeFileError"], "declared shape of 40 GB in a tiny file"),
        ({"__metadata__": {"format": "pickle"}, "vars/0": _entry("O", [1], 0, 8)}, bytes(8),
         None, ["CorruptFileError"], "object dtype 'O'"),
    ]):
        blob = _safetensors(header, data, header_len)
        c.with_weights(f"weights_header_{i}.keraslite", blob, expect=[WEIGHTS_ENTRY],
                       errors=errors, attack=f"model archive: {attack}")
        c.register(c.path(f"weights_header_{i}.keraslite"), [WEIGHTS_ENTRY], "load_weights",
                   errors, f"model archive via load_weights: {attack}")
        c.add(f"weights_header_{i}.safetensors", blob, entry="load_weights", errors=errors,
              attack=f"weights file: {attack}")

    # 12. Pickles and files of other formats posing as keraslite files.
    payload = pickle.dumps({"weights": np.zeros(3)}, protocol=4)
    assert payload.startswith(b"\x80\x04")
    c.add("pickle.safetensors", payload, entry="load_weights", errors=["CorruptFileError",
                                                                       "UnsafeFileError"],
          attack="a pickle named .safetensors")
    c.with_weights("weights_entry_pickle.keraslite", payload, expect=[WEIGHTS_ENTRY],
                   errors=["CorruptFileError", "UnsafeFileError"],
                   attack="weights entry is a pickle")
    c.with_config_text("config_pickle.keraslite", pickle.dumps({"format": "keraslite.model"}),
                       expect=[CONFIG_ENTRY], errors=["CorruptFileError"],
                       attack="config.json is a pickle")
    c.add("pickle.keraslite", payload, errors=["CorruptFileError"], attack="a pickle named .keraslite")
    h5 = _legacy_h5(folder / "valid_legacy.h5", model).read_bytes()
    c.add("hdf5.keraslite", h5, errors=["CorruptFileError"], attack="an HDF5 file named .keraslite")
    c.add("hdf5_load_weights.keraslite", h5, entry="load_weights", errors=["CorruptFileError"],
          attack="an HDF5 file named .keraslite, via load_weights")
    c.add("zip_as.safetensors", c.base.read_bytes(), entry="load_weights",
          errors=["CorruptFileError", "UnsafeFileError"], attack="a model archive named .safetensors")
    return c


def add_h5_attacks(c: Corpus, target: Path):
    """HDF5 files that would make the reader open ``target`` or misread objects."""
    import h5py

    def external_link(f):
        del f["hidden/hidden/kernel:0"]
        f["hidden/hidden/kernel:0"] = h5py.ExternalLink(str(target), "/kernel")

    def virtual(f):
        del f["hidden/hidden/kernel:0"]
        layout = h5py.VirtualLayout(shape=(4, 3), dtype="float32")
        layout[:] = h5py.VirtualSource(str(target), "kernel", shape=(4, 3))
        f["hidden/hidden"].create_virtual_dataset("kernel:0", layout)

    def external_storage(f):
        del f["hidden/hidden/kernel:0"]
        f["hidden/hidden"].create_dataset("kernel:0", shape=(4, 3), dtype="float32",
                                          external=[(str(target), 0, 48)])

    def pickled_attribute(f):
        f.attrs["layer_names"] = np.void(pickle.dumps(["hidden", "out"]))

    def pickled_weight_names(f):
        f["hidden"].attrs["weight_names"] = np.void(pickle.dumps(os.system))

    def object_dataset(f):
        del f["out/out/bias:0"]
        f["out/out"].create_dataset("bias:0", data=np.array([b"\x80\x04", b"x"], dtype=object),
                                    dtype=h5py.string_dtype())

    for name, plant, expect in [
        ("external_link", external_link, "external link"),
        ("virtual_dataset", virtual, "virtual"),
        ("external_storage", external_storage, "external"),
        ("pickled_layer_names", pickled_attribute, "layer_names"),
        ("pickled_weight_names", pickled_weight_names, "weight_names"),
        ("object_dtype_dataset", object_dataset, "bias"),
    ]:
        path = _legacy_h5(c.path(f"{name}.h5"), c.model, plant)
        c.register(path, [expect], entry="load_weights",
                   attack=f"legacy .h5: {name.replace('_', ' ')}")


# --- running the corpus ---------------------------------------------------------------------


@contextlib.contextmanager
def _watch_never_opened(path: Path):
    """Makes ``path`` a named pipe; anything opening it for reading is noticed (and unblocked)
    by this watcher opening its write end."""
    os.mkfifo(path)
    seen, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:  # ENXIO: no reader has it open
                if error.errno != errno.ENXIO:
                    raise
                time.sleep(0.002)
                continue
            seen.append(True)
            os.close(fd)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(5)


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory):
    pytest.importorskip("h5py")
    if not hasattr(os, "mkfifo"):
        pytest.skip("the h5 link-target watcher needs named pipes (POSIX)")
    keraslite.backend.clear_session()
    folder = tmp_path_factory.mktemp("malicious") / "corpus"
    model = _base_model()
    corpus = build_corpus(folder, model)
    target = folder / "link_target.h5"
    add_h5_attacks(corpus, target)
    model.save_weights(str(folder / "valid.safetensors"))
    corpus.control(corpus.base, "load_model")
    corpus.control(folder / "valid.safetensors", "load_weights")
    manifest = {
        "warm_up": {"model": str(corpus.base),
                    "weights": [str(folder / "valid.safetensors"), str(folder / "valid_legacy.h5"),
                                str(corpus.base)]},
        "files": [{"path": f["path"], "entry": f["entry"]} for f in corpus.files],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO),
                                                         os.environ.get("PYTHONPATH", "")])}
    with _watch_never_opened(target) as opened:
        result = subprocess.run([sys.executable, str(LOADER), str(folder)], env=env,
                                cwd=str(REPO), capture_output=True, text=True, timeout=300,
                                stdin=subprocess.DEVNULL)
    lines = [line for line in result.stdout.splitlines()
             if line.startswith("MALICIOUS-LOADER-REPORT ")]
    assert result.returncode == 0 and lines, (
        f"loader exited with {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    result = json.loads(lines[-1].split(" ", 1)[1])
    report, self_check = result["files"], result["self_check"]
    if os.environ.get("KERASLITE_PRINT_CORPUS"):  # the corpus, attack -> error, for the record
        for item, outcome in zip(corpus.files, report):
            sys.stderr.write(f"{item['attack'][:64]:64s} -> {outcome['error']}: "
                             f"{(outcome.get('message') or '')[:150]}\n")
    return corpus.files, report, opened, self_check


def test_corpus_is_large_enough(corpus_report):
    files, report, *_ = corpus_report
    assert sum(not f["control"] for f in files) >= 40
    assert [r["file"] for r in report] == [os.path.basename(f["path"]) for f in files]


def test_the_link_target_was_never_opened(corpus_report):
    _, _, opened, _ = corpus_report
    assert not opened, "a crafted .h5 made the reader open the file its link points at"


def test_the_audit_hook_sees_code_imports_and_opens(corpus_report):
    """The harness itself: the loader's hook records the events the corpus is checked for."""
    *_, self_check = corpus_report
    assert any(e.startswith("compile filename='<self-check>'") for e in self_check), self_check
    assert "import 'malicious_loader_self_check'" in self_check, self_check
    assert any(e.startswith("open ") and "manifest.json" in e for e in self_check), self_check


def test_a_valid_file_loads_under_the_hook(corpus_report):
    """The control: the valid base model loads in the same run, with no event recorded."""
    files, report, *_ = corpus_report
    controls = [(f, o) for f, o in zip(files, report) if f["control"]]
    assert len(controls) == 2
    for item, outcome in controls:
        assert outcome["error"] is None, outcome
        assert outcome["events"] == [], outcome
        assert not outcome["weights_changed"] or item["entry"] == "load_model"


def _problems(item, outcome):
    name = outcome["file"]
    problems = []
    if outcome["events"]:
        problems.append(f"audit events while loading: {outcome['events'][:5]}")
    if outcome["error"] is None:
        return problems + ["it loaded without an error"]
    if not set(item["errors"]) & set(outcome["mro"]):
        problems.append(f"raised {outcome['error']} (expected one of {item['errors']}): "
                        f"{outcome['message'][:300]}")
    message = outcome["message"]
    if name not in message:
        problems.append(f"the message does not name the file: {message[:300]}")
    detail = message.replace(item["path"], "")  # the file's own name must not count below
    if item["expect"] and not any(e in detail for e in item["expect"]):
        problems.append(f"the message names none of {item['expect']}: {message[:300]}")
    if outcome["weights_changed"]:
        problems.append("a failed load_weights changed the model's weights")
    return problems


def test_every_file_is_refused_cleanly_without_side_effects(corpus_report):
    files, report, *_ = corpus_report
    failures = []
    for item, outcome in zip(files, report):
        if item["control"]:
            continue
        for problem in _problems(item, outcome):
            failures.append(f"{outcome['file']} ({item['attack']}): {problem}")
    assert not failures, "\n".join(failures)
