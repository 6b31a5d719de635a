"""How much of Keras 3's public API keraslite has under the same path.

Run where Keras 3 is installed (it is the reference; keraslite never imports it itself):

    KERASLITE_BACKEND=jax python scripts/api_coverage.py            # print the table
    KERASLITE_BACKEND=jax python scripts/api_coverage.py --write    # also docs/api_coverage.md
    python scripts/api_coverage.py --missing keras.utils            # list one namespace's gaps

A namespace's public names are the ``dir()`` entries of the Keras module that do not start with
an underscore. A name counts as covered when ``getattr`` on the keraslite module of the same path
succeeds (lazy names are imported on the way, so a name that fails to import is missing).
Other engineers keep adding names: the script measures whatever is there when it runs.
"""
from __future__ import annotations

import argparse
import datetime
import importlib
import os
import pathlib
import sys
import tempfile
import types

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api_coverage.md"

# The namespaces issue 16 measures, in its order. Paths are relative to the package root.
NAMESPACES = (
    "", "layers", "ops", "ops.nn", "ops.numpy", "ops.linalg", "ops.image",
    "activations", "initializers", "regularizers", "constraints", "losses", "metrics",
    "optimizers", "optimizers.schedules", "callbacks", "models", "saving", "utils", "random",
    "backend", "applications", "datasets", "mixed_precision", "distribution", "preprocessing",
    "export", "tree", "config",
)
# Keras namespaces outside that list: shown for information, not counted in the total.
EXTRA_NAMESPACES = ("quantizers", "dtype_policies", "visualization", "wrappers")
# ``keras.src`` is Keras's implementation package, not part of its public API.
IGNORED = {"": {"src"}}


def _module(root: str, path: str) -> types.ModuleType | None:
    """The module ``root.path``, reached by attribute as a user would, or None."""
    module = importlib.import_module(root)
    for part in filter(None, path.split(".")):
        try:
            module = getattr(module, part)
        except Exception:  # any failure to load means the namespace is absent
            return None
    return module if isinstance(module, types.ModuleType) else None


def _public_names(module: types.ModuleType, path: str) -> list[str]:
    ignored = IGNORED.get(path, set())
    return sorted(n for n in dir(module) if not n.startswith("_") and n not in ignored)


def _has(module: types.ModuleType | None, name: str) -> bool:
    if module is None:
        return False
    try:
        getattr(module, name)
    except Exception:  # AttributeError, or a lazy import that fails: not usable, so missing
        return False
    return True


def measure(paths: tuple[str, ...]) -> list[dict]:
    """For each namespace: Keras's public names and those keraslite lacks."""
    rows = []
    for path in paths:
        reference = _module("keras", path)
        if reference is None:
            continue
        names = _public_names(reference, path)
        ours = _module("keraslite", path)
        missing = [n for n in names if not _has(ours, n)]
        rows.append({"path": path, "total": len(names), "missing": missing})
    return rows


def _label(path: str) -> str:
    return "keras" if not path else f"keras.{path}"


def _percent(have: int, total: int) -> str:
    return f"{100.0 * have / total:.0f}%" if total else "-"


def table(rows: list[dict]) -> list[str]:
    lines = ["| namespace | Keras 3 names | in keraslite | coverage |",
             "|---|---:|---:|---:|"]
    for row in rows:
        have = row["total"] - len(row["missing"])
        lines.append(f"| `{_label(row['path'])}` | {row['total']} | {have} | "
                     f"{_percent(have, row['total'])} |")
    return lines


def totals(rows: list[dict]) -> tuple[int, int]:
    total = sum(r["total"] for r in rows)
    return total - sum(len(r["missing"]) for r in rows), total


def render(rows: list[dict], extra: list[dict], versions: str) -> str:
    have, total = totals(rows)
    out = [
        "# Coverage of Keras 3's public API",
        "",
        "How many of Keras 3's public names (the `dir()` entries of each namespace without a",
        "leading underscore) keraslite has under the same path. Measured with:",
        "",
        "```",
        "KERASLITE_BACKEND=jax python scripts/api_coverage.py --write",
        "```",
        "",
        f"Measured {datetime.date.today().isoformat()} against {versions}.",
        "",
        f"**Overall: {have} of {total} names ({_percent(have, total)}).**",
        "",
        *table(rows),
        "",
        "Namespaces outside issue 16's list (not counted above):",
        "",
        *table(extra),
        "",
        "## Missing names",
        "",
    ]
    for row in rows + extra:
        if row["missing"]:
            out += [f"<details><summary><code>{_label(row['path'])}</code>: "
                    f"{len(row['missing'])} missing</summary>", "",
                    ", ".join(f"`{n}`" for n in row["missing"]), "", "</details>", ""]
    return "\n".join(out)


def _write_atomically(path: pathlib.Path, text: str) -> None:
    # A reader never sees half a file: write beside the target, then rename over it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    parser.add_argument("--missing", metavar="NAMESPACE",
                        help="print the names one namespace lacks (e.g. keras.utils)")
    args = parser.parse_args(argv)
    try:
        import keras
    except ImportError:
        print("api_coverage.py needs Keras 3 installed (pip install keras)", file=sys.stderr)
        return 2
    import keraslite

    rows = measure(NAMESPACES)
    extra = measure(EXTRA_NAMESPACES)
    if args.missing:
        wanted = args.missing.removeprefix("keras").lstrip(".")
        for row in rows + extra:
            if row["path"] == wanted:
                print("\n".join(row["missing"]))
                return 0
        print(f"--missing: no measured namespace {args.missing!r}", file=sys.stderr)
        return 2
    print("\n".join(table(rows)))
    have, total = totals(rows)
    print(f"\noverall: {have} of {total} ({_percent(have, total)})")
    print("\nnot counted:\n" + "\n".join(table(extra)))
    if args.write:
        versions = (f"Keras {keras.__version__} (keraslite {keraslite.__version__}, "
                    f"KERASLITE_BACKEND={keraslite.backend.backend()})")
        _write_atomically(DOC, render(rows, extra, versions) + "\n")
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
