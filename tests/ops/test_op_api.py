"""The op layer's public surface: backend parity (read with ast, no other backend imported),
``keraslite.ops.__all__``, Variables as arguments, and backend import isolation."""
from __future__ import annotations

import ast
import pathlib
import sys

import numpy as np
import pytest

import keraslite
from keraslite import ops

ROOT = pathlib.Path(keraslite.__file__).parent
MODULES = ["core.py", "numpy.py", "nn.py", "random.py"]


def _public_signatures(path: pathlib.Path) -> dict:
    tree = ast.parse(path.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            a = node.args
            defaults = [None] * (len(a.args) - len(a.defaults)) + [ast.unparse(d) for d in a.defaults]
            out[node.name] = (
                [(arg.arg, d) for arg, d in zip(a.args, defaults)],
                a.vararg.arg if a.vararg else None,
                [k.arg for k in a.kwonlyargs],
                a.kwarg.arg if a.kwarg else None,
            )
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            for target in node.targets:
                if isinstance(target, ast.Name) and not target.id.startswith("_"):
                    out[target.id] = ("alias", node.value.id)
    return out


@pytest.mark.parametrize("module", MODULES)
def test_backends_expose_the_same_functions_and_arguments(module):
    jax_sigs = _public_signatures(ROOT / "backends" / "jax" / module)
    tf_sigs = _public_signatures(ROOT / "backends" / "tensorflow" / module)
    assert sorted(set(jax_sigs) ^ set(tf_sigs)) == [], "names present in only one backend"
    different = {n: (jax_sigs[n], tf_sigs[n]) for n in jax_sigs if jax_sigs[n] != tf_sigs[n]}
    assert not different, f"argument lists differ: {different}"
    assert len(jax_sigs) > 5


def test_every_name_in_ops_all_is_callable():
    assert len(ops.__all__) > 150
    not_callable = [n for n in ops.__all__ if not callable(getattr(ops, n, None))]
    assert not not_callable


@pytest.mark.parametrize("name", [
    "matmul", "conv", "softmax", "log_softmax", "cast", "convert_to_numpy", "one_hot", "moments",
    "batch_normalization", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_crossentropy", "max_pool", "average_pool", "depthwise_conv", "separable_conv",
    "conv_transpose", "relu", "gelu", "swish", "silu", "erf", "rsqrt", "logsumexp", "top_k",
    "in_top_k", "where", "get_item", "shape", "cond", "scan", "fori_loop", "while_loop", "take",
    "take_along_axis", "einsum", "tensordot", "split", "unstack", "stop_gradient", "dtype",
])
def test_keras_names_exist(name):
    assert callable(getattr(ops, name))


def test_public_op_modules_are_backend_neutral():
    # numpy's concept files (numpy_arithmetic.py, ...) are re-exported by ops/numpy.py
    assert ops.add.__module__ == "keraslite.ops.numpy_arithmetic"
    assert ops.numpy.add is ops.add
    assert ops.conv.__module__ == "keraslite.ops.nn"
    assert ops.erf.__module__ == "keraslite.ops.math"
    outside = [n for n in ops.__all__ if callable(getattr(ops, n))
               and not getattr(ops, n).__module__.startswith("keraslite.ops.")]
    assert not outside, outside


def test_variables_are_accepted_and_dunder_ops_dispatch():
    v = keraslite.Variable(np.array([1.0, 2.0], "float32"), name="v")
    np.testing.assert_allclose(ops.convert_to_numpy(ops.add(v, 1)), [2.0, 3.0])
    np.testing.assert_allclose(ops.convert_to_numpy(v * 2 - 1), [1.0, 3.0])
    np.testing.assert_allclose(ops.convert_to_numpy(v[1]), 2.0)
    assert ops.shape(v) == (2,) and ops.dtype(v) == "float32"


def test_shape_and_ndim_are_python_values():
    x = ops.zeros((2, 3, 4))
    assert ops.shape(x) == (2, 3, 4) and isinstance(ops.shape(x), tuple)
    assert ops.ndim(x) == 3


def test_keras_tensor_shape_without_graph():
    from keraslite.ops.keras_tensor import KerasTensor

    kt = KerasTensor((None, 5), "float32")
    assert ops.shape(kt) == (None, 5) and ops.ndim(kt) == 2 and ops.dtype(kt) == "float32"


def test_only_backend_packages_import_jax_or_tensorflow():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("backends/jax/", "backends/tensorflow/")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n.split(".")[0] in ("jax", "tensorflow", "keras") for n in names):
                offenders.append(rel)
    # distribution/ and the tf.data adapter may import lazily by design; ops/random must not
    offenders = [o for o in offenders if o.startswith(("ops/", "random/", "backends/"))]
    # The SavedModel writer both backends' ExportArchive use: it imports TensorFlow inside
    # save_archive only (a SavedModel is TensorFlow's format), never at import time.
    lazy_by_design = {"backends/common/saved_model_archive.py"}
    assert not [o for o in offenders if o not in lazy_by_design]


def test_ops_do_not_load_the_other_backend():
    """In a fresh process: other tests in this session (Keras oracles) may load TF themselves."""
    backend = keraslite.backend.backend()
    other = "tensorflow" if backend == "jax" else "jax"
    import os
    import subprocess

    code = (
        "import sys\n"
        "import keraslite.ops, keraslite.random, keraslite.utils.random_seed\n"
        "keraslite.ops.conv(keraslite.ops.ones((1, 4, 4, 1)), keraslite.ops.ones((2, 2, 1, 1)))\n"
        "keraslite.random.normal((2,), seed=1)\n"
        f"assert '{other}' not in sys.modules, '{other} was imported'\n"
    )
    env = dict(os.environ, KERASLITE_BACKEND=backend)
    root = os.path.dirname(os.path.dirname(keraslite.__file__))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
