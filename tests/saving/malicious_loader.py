"""Loads every file of a crafted corpus under an audit hook and prints a JSON report.

Run by test_malicious_files.py in a subprocess (an audit hook can never be removed):

    KERASLITE_BACKEND=jax python malicious_loader.py <corpus folder>

The folder holds ``manifest.json``: ``warm_up`` (valid files loaded before the hook is installed,
so every module a legitimate load needs is already imported) and ``files``, each
``{"path", "entry"}`` with entry ``load_model`` or ``load_weights``. For each file the report
gives the exception raised (or none) and every audit event recorded while loading it that a data
file must never cause: code compiled or executed, a module imported, a process started, a socket
used, a file other than the one being loaded opened, a file written, renamed or removed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

REPORT_MARK = "MALICIOUS-LOADER-REPORT "

# Audit events a load must never raise (prefix match), besides "open" of another file.
_FORBIDDEN_PREFIXES = (
    "exec", "compile", "import", "builtins.input", "code.__new__", "function.__new__",
    "marshal.load", "pickle.find_class", "ctypes.", "cpython.run_", "subprocess.", "os.system",
    "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile", "os.kill",
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.link",
    "os.symlink", "os.truncate", "os.putenv", "os.unsetenv", "os.listdir", "os.scandir",
    "shutil.", "socket.", "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.",
    "sys.settrace", "sys.setprofile", "object.__setattr__", "object.__delattr__",
    "tempfile.",
)
# object.__setattr__ fires only for setattr on types and functions (monkey-patching code).


def _weights_digest(model) -> str:
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(repr((weight.dtype.str, weight.shape)).encode())
        digest.update(weight.tobytes())
    return digest.hexdigest()


def main(folder: str) -> None:
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)

    import keraslite  # noqa: F401
    from keraslite.models import load_model

    # Warm up: every valid path once, so lazy imports happen before the hook is installed.
    warm = manifest["warm_up"]
    model = load_model(warm["model"])
    for path in warm["weights"]:
        model.load_weights(path)

    state = {"events": None, "allowed": ()}

    def hook(event, args):
        events = state["events"]
        if events is None:
            return
        if event == "open":
            path = args[0]
            if isinstance(path, bytes):
                path = path.decode("utf-8", "replace")
            if path not in state["allowed"]:
                events.append(f"open {path!r} mode={args[1]!r}")
            return
        if event.startswith(_FORBIDDEN_PREFIXES):
            if event == "object.__setattr__" or event == "object.__delattr__":
                events.append(f"{event} {type(args[0]).__name__}.{args[1]}")
            elif event == "compile":
                events.append(f"compile filename={args[1]!r}")
            elif event == "exec":
                events.append(f"exec {getattr(args[0], 'co_filename', '?')!r}")
            elif event == "import":
                events.append(f"import {args[0]!r}")
            else:
                events.append(f"{event} {str(args)[:200]}")

    sys.addaudithook(hook)
    # Self-check: the hook must see what an attack would do (compile, import, open elsewhere).
    state["allowed"], state["events"] = (), []
    compile("1 + 1", "<self-check>", "eval")
    try:  # a module no one has imported (none has this name): the attempt itself is the event
        __import__("malicious_loader_self_check")
    except ImportError:
        pass
    with open(os.path.join(folder, "manifest.json"), "rb"):
        pass
    self_check, state["events"] = state["events"], None

    report = []
    for item in manifest["files"]:
        path = item["path"]
        before = _weights_digest(model)
        state["allowed"] = (path, os.path.abspath(path))
        state["events"] = []
        outcome = {"file": os.path.basename(path)}
        try:
            if item["entry"] == "load_model":
                load_model(path)
            else:
                model.load_weights(path)
            outcome["error"] = None
        except BaseException as error:  # noqa: BLE001 - the class is what the test checks
            outcome["error"] = type(error).__name__
            outcome["mro"] = [cls.__name__ for cls in type(error).__mro__]
            outcome["message"] = str(error)[:3000]
        finally:
            outcome["events"] = state["events"]
            state["events"] = None
        outcome["weights_changed"] = _weights_digest(model) != before
        report.append(outcome)
    sys.stdout.write(REPORT_MARK + json.dumps({"self_check": self_check, "files": report})
                     + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
