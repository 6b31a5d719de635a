"""The STFT initializer: a convolution kernel whose filters are the (windowed) DFT basis, so a
strided 1D convolution with it computes a short-time Fourier transform."""
from __future__ import annotations

import numpy as np

from keraslite.initializers.initializer import Initializer, numpy_dtype

# NumPy's symmetric windows; a periodic window of length N is the symmetric one of length N + 1
# without its last sample (the DFT-even form used for spectral analysis).
_WINDOWS = {"hann": np.hanning, "hamming": np.hamming, "blackman": np.blackman,
            "bartlett": np.bartlett, "boxcar": np.ones}


def _window(window, length: int, periodic: bool) -> np.ndarray:
    if isinstance(window, str):
        if window not in _WINDOWS:
            raise ValueError(f"STFT: argument `window` must be one of {sorted(_WINDOWS)}, an "
                             f"array of the frame length, or None. Received: window={window!r}")
        make = _WINDOWS[window]
        return make(length + 1)[:-1] if periodic else make(length)
    values = np.asarray(window, dtype="float64")
    if values.shape != (length,):
        raise ValueError(f"STFT: the window must have the frame length {length} (the kernel's "
                         f"first axis). Received: window of shape {values.shape}")
    return values


class STFT(Initializer):
    """Kernel of shape ``(frame_length, channels, fft_length // 2 + 1)`` holding the real
    (``side="real"``: cos) or imaginary (``side="imag"``: sin) part of the DFT basis, multiplied
    by ``window`` and divided by its ``scaling`` ("density": root of the summed squares,
    "spectrum": sum, None: 1).

    Example::

        init = keraslite.initializers.STFT(side="real", window="hann")
        kernel = init((256, 1, 129))   # a 256-sample frame, 129 frequency bins
    """

    def __init__(self, side: str = "real", window="hann", scaling: str | None = "density",
                 periodic: bool = False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: argument `side` must be 'real' or 'imag'. "
                             f"Received: side={side!r}")
        if scaling not in ("density", "spectrum", None):
            raise ValueError("STFT: argument `scaling` must be 'density', 'spectrum' or None. "
                             f"Received: scaling={scaling!r}")
        if isinstance(window, str) and window not in _WINDOWS:
            _window(window, 1, periodic)  # raises the error naming the window
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) != 3:
            raise ValueError("STFT initializer needs a 3D shape (frame_length, channels, "
                             f"fft_length // 2 + 1). Received: shape={shape}")
        frame_length, channels, bins = shape
        fft_length = 2 * (bins - 1)
        phase = -2.0 * np.pi * np.outer(np.arange(frame_length), np.arange(bins))
        phase = phase / max(fft_length, 1)
        kernel = np.cos(phase) if self.side == "real" else np.sin(phase)
        if self.window is not None:
            win = _window(self.window, frame_length, self.periodic)
            kernel = kernel * win[:, None]
            if self.scaling == "density":
                kernel = kernel / np.sqrt(np.sum(win ** 2))
            elif self.scaling == "spectrum":
                kernel = kernel / np.sum(np.abs(win))
        kernel = np.broadcast_to(kernel[:, None, :], (frame_length, channels, bins))
        return kernel.astype(numpy_dtype(dtype))

    def get_config(self) -> dict:
        window = self.window
        if isinstance(window, np.ndarray):
            window = window.tolist()
        return {"side": self.side, "window": window, "scaling": self.scaling,
                "periodic": self.periodic}
