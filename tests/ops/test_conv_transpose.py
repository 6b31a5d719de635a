"""ops.conv_transpose against NumPy: values and gradients, over strides 1/2/3, kernels 1-5,
both paddings, output_padding, dilation, 1D/2D/3D and both data formats.

The value reference is ``op_refs.conv_transpose`` (a scatter loop). The gradient reference is
the adjoint of that scatter, written out below: the op is linear in the input and in the
kernel, so ``d sum(out * g) / dx[i] = sum_j g_full[i*s + j*d] @ k[j]`` and
``d / dk[j] = sum_i outer(g_full[i*s + j*d], x[i])``, where ``g_full`` is ``g`` placed back in
the uncropped result.
"""
import itertools
import zlib

import numpy as np
import pytest

from keraslite import backend, ops
from keraslite.backends import compile as backend_compile
import op_refs


def _tup(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def _crop_and_length(size, k, s, d, padding, output_padding):
    """Where the Keras output starts in the uncropped result, and its length."""
    span = (k - 1) * d + 1
    full = (size - 1) * s + span
    if output_padding is None:
        if padding == "same":
            return max(span - s, 0) // 2, size * s
        return 0, size * s + max(span - s, 0)
    pad = span // 2 if padding == "same" else 0
    length = (size - 1) * s + span - 2 * pad + output_padding
    return (max(full - length, 0) // 2 if padding == "same" else 0), length


def _numpy_grads(x, k, g, strides, padding, output_padding, dilation):
    """Gradients of ``sum(conv_transpose(x, k) * g)`` for channels_last x, (*w, out, in) k."""
    x, k, g = (np.asarray(a, np.float64) for a in (x, k, g))
    n = k.ndim - 2
    s, d = _tup(strides, n), _tup(dilation, n)
    ops_ = (None,) * n if output_padding is None else _tup(output_padding, n)
    sizes = x.shape[1:-1]
    placed = [_crop_and_length(sizes[i], k.shape[i], s[i], d[i], padding, ops_[i])
              for i in range(n)]
    full = [(sizes[i] - 1) * s[i] + (k.shape[i] - 1) * d[i] + 1 for i in range(n)]
    g_full = np.zeros((g.shape[0], *[max(f, c + l) for f, (c, l) in zip(full, placed)],
                       g.shape[-1]))
    g_full[(slice(None),) + tuple(slice(c, c + l) for c, l in placed)] = g
    dx, dk = np.zeros_like(x), np.zeros_like(k)
    for idx in np.ndindex(*sizes):
        for kidx in np.ndindex(*k.shape[:n]):
            pos = tuple(idx[i] * s[i] + kidx[i] * d[i] for i in range(n))
            gp = g_full[(slice(None),) + pos]  # (batch, out)
            dx[(slice(None),) + idx] += gp @ k[kidx]
            dk[kidx] += gp.T @ x[(slice(None),) + idx]
    return dx, dk


def _check(spatial, kernel, strides, padding, output_padding=None, dilation=1,
           data_format="channels_last", in_ch=3, out_ch=2, batch=2):
    rng = np.random.default_rng(zlib.crc32(repr((spatial, kernel, strides, padding)).encode()))
    n = len(spatial)
    x = rng.standard_normal((batch,) + spatial + (in_ch,)).astype("float32")
    k = rng.standard_normal(_tup(kernel, n) + (out_ch, in_ch)).astype("float32")
    want = op_refs.conv_transpose(x, k, strides, padding, output_padding, dilation)
    g = rng.standard_normal(want.shape).astype("float32")
    want_dx, want_dk = _numpy_grads(x, k, g, strides, padding, output_padding, dilation)

    def to_format(a):  # channels_last NumPy -> the layout under test
        return a if data_format == "channels_last" else np.moveaxis(a, -1, 1)

    def from_format(a):
        a = np.asarray(ops.convert_to_numpy(a))
        return a if data_format == "channels_last" else np.moveaxis(a, 1, -1)

    def loss(params):
        out = ops.conv_transpose(params[0], params[1], strides, padding, output_padding,
                                 data_format, dilation)
        return ops.sum(out * ops.convert_to_tensor(to_format(g))), out

    # Compiled, as in a training step (and JAX compiles one program instead of op by op).
    step = backend_compile.compile_function(backend.value_and_grad(loss, has_aux=True))
    (_, out), (dx, dk) = step([ops.convert_to_tensor(to_format(x)), ops.convert_to_tensor(k)])
    np.testing.assert_allclose(from_format(out), want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(from_format(dx), want_dx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ops.convert_to_numpy(dk), want_dk, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("strides,kernel,padding",
                         list(itertools.product((1, 2, 3), (1, 2, 3, 4, 5), ("valid", "same"))))
def test_1d_strides_kernels_paddings(strides, kernel, padding):
    _check((5,), kernel, strides, padding)


@pytest.mark.parametrize("strides,kernel,padding",
                         list(itertools.product((2, 3), (1, 2, 3, 4, 5), ("valid", "same"))))
def test_1d_output_padding(strides, kernel, padding):
    _check((4,), kernel, strides, padding, output_padding=strides - 1)


@pytest.mark.parametrize("strides,kernel,padding,dilation",
                         list(itertools.product((1, 2, 3), (2, 3), ("valid", "same"), (2, 3))))
def test_1d_dilation(strides, kernel, padding, dilation):
    _check((4,), kernel, strides, padding, dilation=dilation)


CASES_2D = [
    # spatial, kernel, strides, padding, output_padding, dilation, data_format
    ((4, 5), 3, 2, "same", None, 1, "channels_last"),
    ((4, 5), 3, 2, "same", None, 1, "channels_first"),
    ((3, 4), (3, 2), (2, 3), "valid", None, 1, "channels_last"),
    ((3, 3), 4, 2, "valid", 1, 1, "channels_first"),
    ((3, 4), (5, 1), (3, 1), "same", (2, 0), 1, "channels_last"),
    ((4, 3), 3, 2, "valid", None, 2, "channels_last"),
    ((4, 4), (2, 3), 1, "same", None, (2, 1), "channels_first"),
    ((3, 3), 1, 3, "valid", (1, 2), 1, "channels_last"),
]


@pytest.mark.parametrize("spatial,kernel,strides,padding,output_padding,dilation,data_format",
                         CASES_2D)
def test_2d(spatial, kernel, strides, padding, output_padding, dilation, data_format):
    _check(spatial, kernel, strides, padding, output_padding, dilation, data_format)


CASES_3D = [
    ((3, 2, 3), 3, 2, "same", None, 1, "channels_last"),
    ((2, 3, 2), (2, 3, 1), (1, 2, 3), "valid", (0, 1, 2), 1, "channels_first"),
    ((3, 3, 2), 2, (2, 1, 2), "same", None, 1, "channels_first"),
]


@pytest.mark.parametrize("spatial,kernel,strides,padding,output_padding,dilation,data_format",
                         CASES_3D)
def test_3d(spatial, kernel, strides, padding, output_padding, dilation, data_format):
    _check(spatial, kernel, strides, padding, output_padding, dilation, data_format)


def test_per_window_path_matches(monkeypatch):
    """Large inputs multiply window by window instead of gathering all windows (JAX on CPU)."""
    if backend.backend() != "jax":
        pytest.skip("the window-matrix size limit exists only in the JAX backend")
    from keraslite.backends.jax import conv_as_matmul

    monkeypatch.setattr(conv_as_matmul, "IM2COL_BYTES", 0)
    _check((4, 5), 3, 2, "same", None, 1, "channels_last")
    _check((3, 3), 5, 3, "valid", 2, 1, "channels_first")
