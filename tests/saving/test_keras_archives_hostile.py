"""A hostile corpus of ``.keras`` archives in the shapes of the published Keras loader CVEs
(Lambda bytecode, module paths to os/subprocess/builtins, registered_name tricks, get_file calls,
TFSMLayer, HDF5 external links, zip path traversal, bombs). Each must be refused with an error
naming what was refused, while an audit hook sees no code execution, import, process or network
event."""
import base64
import io
import json
import marshal
import sys
import zipfile

import numpy as np
import pytest

import keraslite
from keraslite.saving.errors import CorruptFileError, UnsafeFileError

h5py = pytest.importorskip("h5py")

_FORBIDDEN = ("exec", "marshal.loads", "pickle.find_class", "subprocess.", "os.system",
              "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "socket.", "urllib.",
              "ctypes.", "import", "builtins.input", "code.__new__", "compile")
_events: list = []
_recording = [False]


def _hook(event, args):
    if _recording[0] and event.startswith(_FORBIDDEN):
        _events.append((event, repr(args)[:200]))


sys.addaudithook(_hook)  # hooks cannot be removed; it records only inside _audited()


def _dense(name="dense", **overrides):
    config = {"name": name, "trainable": True, "dtype": "float32", "units": 2,
              "activation": "linear", "use_bias": True}
    config.update(overrides)
    return {"module": "keras.layers", "class_name": "Dense", "config": config,
            "registered_name": None, "build_config": {"input_shape": [None, 3]}}


def _sequential(*layers):
    entries = [{"module": "keras.layers", "class_name": "InputLayer",
                "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "in"},
                "registered_name": None}] + list(layers)
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "s", "trainable": True, "layers": entries},
            "build_config": {"input_shape": [None, 3]}}


def _weights(external_link=False):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("layers/dense/vars")
        f["layers/dense/vars/0"] = np.zeros((3, 2), "float32")
        f["layers/dense/vars/1"] = np.zeros((2,), "float32")
        if external_link:
            f["layers/dense/vars/2"] = h5py.ExternalLink("/etc/passwd", "/x")
    return buffer.getvalue()


def _archive(path, config, weights=None, extra=(), raw_config=None):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        z.writestr("config.json", raw_config if raw_config is not None else json.dumps(config))
        z.writestr("model.weights.h5", weights if weights is not None else _weights())
        for name, data in extra:
            z.writestr(name, data)


def _fn(module, name):
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": "function"}


_CODE = base64.b64encode(marshal.dumps(compile("__import__('os').system('id')", "x", "eval")))
_LAMBDA = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
           "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {
               "code": _CODE.decode(), "defaults": None, "closure": None}}}}


_ADAM = {"module": "keras.optimizers", "class_name": "Adam", "config": {},
         "registered_name": None}


def _cases():
    """name -> (config or None, dict of _archive keyword arguments, text the error must hold)."""
    cases = {
        "lambda_marshal": (_sequential(_LAMBDA), {}, "Lambda"),
        "lambda_in_time_distributed": (_sequential({
            "module": "keras.layers", "class_name": "TimeDistributed", "registered_name": None,
            "config": {"name": "td", "layer": _LAMBDA}}), {}, "Lambda"),
        "layer_os_system": (_sequential({"module": "os", "class_name": "system",
                                         "config": {"command": "id"}, "registered_name": None}),
                            {}, "'system' from module 'os'"),
        "layer_subprocess_popen": (_sequential({
            "module": "subprocess", "class_name": "Popen", "config": {"args": ["id"]},
            "registered_name": None}), {}, "'Popen' from module 'subprocess'"),
        "layer_builtins_exec": (_sequential({
            "module": "builtins", "class_name": "exec", "config": {"source": "1"},
            "registered_name": None}), {}, "'exec' from module 'builtins'"),
        "model_from_os_module": ({**_sequential(_dense()), "module": "os"}, {},
                                 "'Sequential' from module 'os'"),
        "registered_name_to_os": (_sequential({**_dense(), "registered_name": "os>system"}), {},
                                  "registered as 'os>system'"),
        "registered_name_dotted_eval": (_sequential({
            "module": "builtins", "class_name": "Dense", "config": _dense()["config"],
            "registered_name": "builtins.eval"}), {}, "registered as 'builtins.eval'"),
        "activation_os_system": (_sequential(_dense(activation=_fn("os", "system"))), {},
                                 "function 'system' from module 'os'"),
        "activation_builtins_eval": (_sequential(_dense(activation=_fn("builtins", "eval"))), {},
                                     "function 'eval' from module 'builtins'"),
        "activation_nested_get_file": (_sequential(_dense(activation=_fn(
            "keras.utils", "get_file"))), {}, "function 'get_file' from module 'keras.utils'"),
        "initializer_subprocess": (_sequential(_dense(kernel_initializer={
            "module": "subprocess", "class_name": "check_output", "config": {"args": ["id"]},
            "registered_name": None})), {}, "'check_output' from module 'subprocess'"),
        "get_file_layer": (_sequential({"module": "keras.utils", "class_name": "get_file",
                                        "config": {"origin": "http://example.invalid/x"},
                                        "registered_name": None}), {}, "'get_file'"),
        "tfsm_layer": (_sequential({"module": "keras.layers", "class_name": "TFSMLayer",
                                    "config": {"filepath": "/tmp/evil"},
                                    "registered_name": None}), {}, "'TFSMLayer'"),
        "loss_os_system": ({**_sequential(_dense()), "compile_config": {
            "optimizer": _ADAM, "loss": _fn("os", "system")}}, {},
            "function 'system' from module 'os'"),
        "optimizer_from_subprocess": ({**_sequential(_dense()), "compile_config": {
            "optimizer": {"module": "subprocess", "class_name": "Popen", "config": {},
                          "registered_name": None}, "loss": "mse"}}, {},
            "'Popen' from module 'subprocess'"),
        "call_argument_lambda": ({"module": "keras.src.models.functional",
                                  "class_name": "Functional", "registered_name": "Functional",
                                  "config": {"name": "f", "layers": [
                                      {**_sequential()["config"]["layers"][0], "name": "in",
                                       "inbound_nodes": []},
                                      {**_dense(), "name": "dense", "inbound_nodes": [{
                                          "args": [{"class_name": "__lambda__",
                                                    "config": {"code": _CODE.decode()}}],
                                          "kwargs": {}}]}],
                                      "input_layers": [["in", 0, 0]],
                                      "output_layers": [["dense", 0, 0]]}}, {},
                                 "'__lambda__'"),
        "h5_external_link": (_sequential(_dense()), {"weights": _weights(external_link=True)},
                             "external link"),
        "zip_path_traversal": (_sequential(_dense()), {"extra": [("../../evil.py", b"x")]},
                               "'..'"),
        "zip_absolute_path": (_sequential(_dense()), {"extra": [("/tmp/evil.py", b"x")]},
                              "absolute path"),
        "json_depth_bomb": (None, {"raw_config": "[" * 100_000 + "]" * 100_000}, "JSON"),
        "json_duplicate_keys": (None, {"raw_config": '{"class_name": "Sequential", '
                                                     '"class_name": "Functional"}'},
                                "duplicate key"),
        "quantized_policy": (_sequential(_dense(dtype={
            "module": "keras", "class_name": "QuantizedDTypePolicy",
            "config": {"name": "int8_from_float32"}, "registered_name": None})), {},
            "QuantizedDTypePolicy"),
    }
    return cases


CASES = _cases()


def test_hostile_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.fixture(scope="module")
def warmed(tmp_path_factory):
    """Loads a well-formed archive first, so keraslite's own lazy imports happen outside the
    audited region; any import seen afterwards came from a file."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "ok.keras"
    _archive(path, {**_sequential(_dense()), "compile_config": {"optimizer": _ADAM,
                                                                "loss": "mse"}})
    keraslite.models.load_model(str(path))
    for name, (config, kwargs, _) in CASES.items():  # the error paths' imports, too
        _archive(folder / f"{name}.keras", config, **kwargs)
        try:
            keraslite.models.load_model(str(folder / f"{name}.keras"))
        except (ValueError, TypeError):
            pass
    return folder


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_archive_is_refused_without_running_anything(warmed, name):
    _, _, message = CASES[name]
    _events.clear()
    _recording[0] = True
    try:
        with pytest.raises((ValueError, TypeError)) as info:
            keraslite.models.load_model(str(warmed / f"{name}.keras"))
    finally:
        _recording[0] = False
    assert message in str(info.value)
    assert str(warmed / f"{name}.keras") in str(info.value) or isinstance(
        info.value, (CorruptFileError, UnsafeFileError))
    assert _events == []


def test_the_audit_hook_sees_what_it_guards_against():
    """The control: the events the hostile loads must not raise are recorded when they happen."""
    _events.clear()
    _recording[0] = True
    try:
        exec("1")  # noqa: S102 - the event under test
        marshal.loads(marshal.dumps(1))
    finally:
        _recording[0] = False
    assert {event for event, _ in _events} >= {"exec", "marshal.loads"}
