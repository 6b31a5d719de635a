"""Whether keraslite's public callables accept Keras 3's parameter names, in Keras's order.

Run where Keras 3 is installed (it is the reference; keraslite never imports it itself):

    KERASLITE_BACKEND=jax python scripts/api_signatures.py            # print the table
    KERASLITE_BACKEND=jax python scripts/api_signatures.py --write    # also docs/api_signatures.md
    python scripts/api_signatures.py --details keras.layers           # one namespace's mismatches

For every public name that both Keras and keraslite have under the same path (the namespaces and
name discovery of ``scripts/api_coverage.py``), the script compares the signature of the class's
``__init__`` or of the function:

* **missing**: a named parameter of Keras's that keraslite does not accept. A keraslite class
  whose ``__init__`` takes ``**kwargs`` is credited with the named parameters of the ``__init__``
  of every class above it (that is where its ``**kwargs`` go); a keraslite function taking
  ``**kwargs`` is credited with every name.
* **order**: Keras's positional parameters (those a script may pass without a keyword) must be
  keraslite's positional parameters at the same positions, since ``Dense(64, "relu")`` binds by
  position.

Names that are not callables (modules, constants) and callables whose signature cannot be read
are not compared.
"""
from __future__ import annotations

import argparse
import datetime
import inspect
import pathlib
import sys
import types
from typing import Any, Callable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from api_coverage import (  # noqa: E402  (a sibling script, not a package)
    NAMESPACES, ROOT, _has, _label, _module, _public_names, _write_atomically)

DOC = ROOT / "docs" / "api_signatures.md"
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def _target(obj: Any) -> Callable | None:
    """What is called when a user calls ``obj``: a class's ``__init__``, or the function."""
    if isinstance(obj, types.ModuleType):
        return None
    if isinstance(obj, type):
        return obj.__init__
    return obj if callable(obj) else None


def _signature(fn: Callable) -> list[inspect.Parameter] | None:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # builtins and C extensions without a readable signature
        return None
    if params and params[0].name == "self":
        params = params[1:]
    return params


def _accepted(obj: Any, params: list[inspect.Parameter]) -> set[str] | None:
    """keraslite's accepted keyword names, or None when it accepts any name."""
    names = {p.name for p in params if p.kind not in _VARIADIC}
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return names
    if not isinstance(obj, type):
        return None
    # Where a class's **kwargs flow: the __init__ of the classes above it, up to one that has
    # no **kwargs (an approximation: it assumes each __init__ passes its **kwargs upwards).
    for base in obj.__mro__[1:]:
        init = base.__dict__.get("__init__")
        if init is None or base is object:
            continue
        base_params = _signature(init) or []
        names |= {p.name for p in base_params if p.kind not in _VARIADIC}
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in base_params):
            break
    return names


def compare(reference: Any, ours: Any) -> dict | None:
    """The parameters ``reference`` (Keras) has that ``ours`` lacks, and order differences."""
    ref_fn, our_fn = _target(reference), _target(ours)
    if ref_fn is None or our_fn is None:
        return None
    ref_params, our_params = _signature(ref_fn), _signature(our_fn)
    if ref_params is None or our_params is None:
        return None
    accepted = _accepted(ours, our_params)
    missing = [p.name for p in ref_params if p.kind not in _VARIADIC
               and accepted is not None and p.name not in accepted]
    ref_pos = [p.name for p in ref_params if p.kind in _POSITIONAL]
    our_pos = [p.name for p in our_params if p.kind in _POSITIONAL]
    order = []
    for i, name in enumerate(ref_pos):
        if name in missing:
            break  # reported as missing; positions after it cannot line up anyway
        if i >= len(our_pos):
            if not any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in our_params):
                order.append(f"`{name}` is keyword-only (Keras: position {i})")
            break
        if our_pos[i] != name:
            order.append(f"position {i}: Keras `{name}`, keraslite `{our_pos[i]}`")
            break
    return {"missing": missing, "order": order}


def measure(paths: tuple[str, ...] = NAMESPACES) -> list[dict]:
    """Per namespace: how many callables were compared and each mismatching one."""
    rows = []
    for path in paths:
        reference = _module("keras", path)
        ours = _module("keraslite", path)
        if reference is None or ours is None:
            continue
        compared, mismatches = 0, {}
        for name in _public_names(reference, path):
            if not _has(ours, name):
                continue
            result = compare(getattr(reference, name), getattr(ours, name))
            if result is None:
                continue
            compared += 1
            if result["missing"] or result["order"]:
                mismatches[name] = result
        rows.append({"path": path, "compared": compared, "mismatches": mismatches})
    return rows


# Classes whose methods scripts call directly (compile, fit, save, summary, add_weight, ...).
MEMBER_CLASSES = ("Model", "Sequential", "Layer")


def measure_members(classes: tuple[str, ...] = MEMBER_CLASSES) -> list[dict]:
    """Per class: its public methods that both libraries define, compared like functions."""
    rows = []
    for cls_name in classes:
        reference, ours = getattr(_module("keras", ""), cls_name), getattr(
            _module("keraslite", ""), cls_name, None)
        if ours is None:
            continue
        compared, mismatches = 0, {}
        for name in _public_names(reference, "-"):
            ref_fn = inspect.getattr_static(reference, name, None)
            our_fn = inspect.getattr_static(ours, name, None)
            if not (inspect.isfunction(ref_fn) and inspect.isfunction(our_fn)):
                continue  # properties, attributes, or absent in keraslite
            result = compare(ref_fn, our_fn)
            if result is None:
                continue
            compared += 1
            if result["missing"] or result["order"]:
                mismatches[name] = result
        rows.append({"path": cls_name, "compared": compared, "mismatches": mismatches,
                     "members": True})
    return rows


def mismatch_keys(rows: list[dict]) -> set[str]:
    """Every mismatching callable as ``keras.<namespace>.<name>``."""
    return {f"{_label(r['path'])}.{name}" for r in rows for name in r["mismatches"]}


def _row_label(row: dict) -> str:
    return f"`{_label(row['path'])}`" + (" methods" if row.get("members") else "")


def totals(rows: list[dict]) -> tuple[int, int]:
    compared = sum(r["compared"] for r in rows)
    return compared, sum(len(r["mismatches"]) for r in rows)


def table(rows: list[dict]) -> list[str]:
    lines = ["| namespace | callables compared | identical parameter names | mismatching |",
             "|---|---:|---:|---:|"]
    for row in rows:
        bad = len(row["mismatches"])
        lines.append(f"| {_row_label(row)} | {row['compared']} | "
                     f"{row['compared'] - bad} | {bad} |")
    compared, bad = totals(rows)
    lines.append(f"| **total** | {compared} | {compared - bad} | {bad} |")
    return lines


def details(row: dict) -> list[str]:
    out = []
    for name, result in sorted(row["mismatches"].items()):
        parts = []
        if result["missing"]:
            parts.append("lacks " + ", ".join(f"`{m}`" for m in result["missing"]))
        parts += result["order"]
        out.append(f"- `{name}`: " + "; ".join(parts))
    return out


def render(rows: list[dict], versions: str) -> str:
    compared, bad = totals(rows)
    out = [
        "# Keras 3 parameter names in keraslite's signatures",
        "",
        "For every public class and function that Keras 3 and keraslite both have under the same",
        "path: does keraslite accept each of Keras's parameter names (a class's `__init__`, or",
        "the function; and the methods of `Model`, `Sequential` and `Layer`), with Keras's",
        "positional parameters in Keras's order? Where keraslite does",
        "not implement a feature it accepts the argument at Keras's default and raises a",
        "`ValueError` naming it for any other value. Measured with:",
        "",
        "```",
        "KERASLITE_BACKEND=jax python scripts/api_signatures.py --write",
        "```",
        "",
        f"Measured {datetime.date.today().isoformat()} against {versions}.",
        "",
        f"**{compared} callables compared; {compared - bad} with Keras's parameter names and "
        f"order; {bad} mismatching.**",
        "",
        *table(rows),
        "",
        "## Mismatches",
        "",
    ]
    for row in rows:
        if row["mismatches"]:
            out += [f"### {_row_label(row)}", "", *details(row), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    parser.add_argument("--details", metavar="NAMESPACE",
                        help="print one namespace's mismatches (e.g. keras.layers), or 'all'")
    args = parser.parse_args(argv)
    try:
        import keras
    except ImportError:
        print("api_signatures.py needs Keras 3 installed (pip install keras)", file=sys.stderr)
        return 2
    import keraslite

    rows = measure(NAMESPACES) + measure_members()
    if args.details:
        wanted = args.details.removeprefix("keras").lstrip(".")
        picked = [r for r in rows if args.details == "all" or r["path"] == wanted]
        if not picked:
            print(f"--details: no measured namespace {args.details!r}", file=sys.stderr)
            return 2
        for row in picked:
            if row["mismatches"]:
                print(f"## {_row_label(row).replace('`', '')}\n" + "\n".join(details(row)))
        return 0
    print("\n".join(table(rows)))
    if args.write:
        versions = (f"Keras {keras.__version__} (keraslite {keraslite.__version__}, "
                    f"KERASLITE_BACKEND={keraslite.backend.backend()})")
        _write_atomically(DOC, render(rows, versions) + "\n")
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
