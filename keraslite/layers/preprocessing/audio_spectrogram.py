"""Audio front ends: STFTSpectrogram (a trainable DFT as a strided convolution) and
MelSpectrogram (a fixed STFT power spectrum on the mel scale, optionally in decibels).

Both follow Keras 3's layers: same arguments, output layouts and, for STFTSpectrogram, the same
weights (``real_kernel``/``imag_kernel`` built by the STFT initializer), so Keras files load.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from keraslite import config, ops
from keraslite.initializers import STFT
from keraslite.layers import arg_utils
from keraslite.layers.input_spec import InputSpec
from keraslite.layers.layer import Layer
from keraslite.ops.keras_tensor import KerasTensor

STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
# The HTK mel scale: mel(f) = 1127 * ln(1 + f / 700).
_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def _conv_length(length, frame_length: int, step: int, padding: str):
    if length is None:
        return None
    if padding == "same":
        return -(-length // step)
    return (length - frame_length) // step + 1


class STFTSpectrogram(Layer):
    """Short-time Fourier transform of each channel of a ``(batch, time, channels)`` signal,
    computed as a strided 1D convolution whose kernels (the windowed DFT basis) are weights,
    so the front end can be trained with the model.

    Args:
        mode: ``"log"`` (log magnitude), ``"magnitude"``, ``"psd"`` (one-sided power),
            ``"real"``, ``"imag"``, ``"angle"`` or ``"stft"`` (real and imaginary parts
            concatenated on the frequency axis).
        frame_length: samples per frame.
        frame_step: hop between frames (default ``frame_length // 2``).
        fft_length: FFT size (default: the next power of two >= ``frame_length``).
        window: a window name (``"hann"``, ``"hamming"``, ...), an array or None.
        periodic: periodic (DFT-even) window instead of symmetric.
        scaling: ``"density"``, ``"spectrum"`` or None: how the window is normalized.
        padding: ``"valid"`` or ``"same"``.
        expand_dims: keep channels on their own axis (4D output) instead of merging them with
            the frequency axis.
        data_format: ``"channels_last"`` ``(batch, time, channels)`` or ``"channels_first"``.

    Example::

        layer = keraslite.layers.STFTSpectrogram(frame_length=64, frame_step=32)
        layer(np.zeros((2, 512, 1), "float32")).shape   # (2, 15, 33)
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        cls = "STFTSpectrogram"
        frame_length = arg_utils.positive_int(cls, "frame_length", frame_length)
        if frame_step is not None:
            frame_step = arg_utils.positive_int(cls, "frame_step", frame_step)
            if frame_step > frame_length:
                raise arg_utils.invalid(cls, "frame_step",
                                        f"a positive int <= frame_length={frame_length}",
                                        frame_step)
        if fft_length is not None:
            fft_length = arg_utils.positive_int(cls, "fft_length", fft_length)
            if fft_length < frame_length:
                raise arg_utils.invalid(cls, "fft_length",
                                        f"an int >= frame_length={frame_length}", fft_length)
        if mode not in STFT_MODES:
            raise arg_utils.invalid(cls, "mode", " or ".join(map(repr, STFT_MODES)), mode)
        if scaling not in ("density", "spectrum", None):
            raise arg_utils.invalid(cls, "scaling", "'density', 'spectrum' or None", scaling)
        padding = arg_utils.standardize_padding(cls, padding)
        if window is not None and not isinstance(window, str):
            window = np.asarray(window, "float64").tolist()
            if np.shape(window) != (frame_length,):
                raise arg_utils.invalid(cls, "window", f"a name or {frame_length} values",
                                        window)
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self._frame_step = frame_step or frame_length // 2 or 1
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = bool(periodic)
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = bool(expand_dims)
        self.data_format = arg_utils.standardize_data_format(cls, data_format)
        self.input_spec = InputSpec(ndim=3)
        STFT("real", window, scaling, self.periodic)  # a bad window name fails here, not later

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                shape, STFT("real", self.window, self.scaling, self.periodic),
                name="real_kernel")
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                shape, STFT("imag", self.window, self.scaling, self.periodic),
                name="imag_kernel")
        self.built = True

    def _frames(self, inputs, kernel):
        """Each channel's frames times the kernel -> (batch, channels, freq, frames).

        The same numbers as Keras's strided convolution (with its "same" padding split), as
        one gather and one matmul: fewer, larger ops than a convolution, eager or compiled."""
        if self.data_format == "channels_last":
            inputs = ops.transpose(inputs, (0, 2, 1))
        shape = ops.shape(inputs)
        channels, time = shape[1], shape[2]
        x = ops.reshape(inputs, (-1, time))
        step, length = self._frame_step, self.frame_length
        if self.padding == "same":
            count = -(-time // step)
            total = max((count - 1) * step + length - time, 0)
            x = ops.pad(x, [(0, 0), (total // 2, total - total // 2)])
        else:
            count = (time - length) // step + 1
        if count < 1:
            raise ValueError(
                f"Layer '{self.name}' needs at least frame_length={length} samples per signal "
                f"with padding='valid'. Received: {time} samples (input shape "
                f"{tuple(inputs.shape)}); use padding='same' or a shorter frame_length.")
        index = np.arange(count)[:, None] * step + np.arange(length)[None, :]
        frames = ops.take(x, ops.convert_to_tensor(index.astype("int32")), axis=1)
        out = ops.matmul(frames, ops.cast(kernel[:, 0, :], inputs.dtype))  # (n, frames, freq)
        return ops.reshape(ops.transpose(out, (0, 2, 1)), (-1, channels, out.shape[2], count))

    def _layout(self, x):
        """(batch, channels, freq, frames) -> Keras's output layout."""
        shape = ops.shape(x)
        if self.expand_dims:
            perm = (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            return ops.transpose(x, perm)
        merged = ops.reshape(x, (-1, shape[1] * shape[2], shape[3]))
        return ops.transpose(merged, (0, 2, 1)) if self.data_format == "channels_last" \
            else merged

    def call(self, inputs):
        if "float" not in str(inputs.dtype):
            raise TypeError(f"Layer '{self.name}' expects a float signal. Received: "
                            f"dtype={inputs.dtype}")
        real = self._frames(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._frames(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._layout(real)
        if self.mode == "imag":
            return self._layout(imag)
        if self.mode == "angle":
            return self._layout(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._layout(ops.concatenate([real, imag], axis=2))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":
            # One-sided power: every bin but DC and Nyquist holds its mirror's share too.
            inner = ops.pad(power[:, :, 1:-1, :], [(0, 0), (0, 0), (1, 1), (0, 0)])
            return self._layout(power + inner)
        eps = config.epsilon()
        magnitude = self._layout(ops.sqrt(ops.maximum(power, eps)))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, eps))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) != 3:
            raise ValueError(f"Layer '{self.name}' expects a 3D input (batch, time, channels) "
                             f"or (batch, channels, time). Received: shape={shape}")
        if self.data_format == "channels_last":
            time, channels = shape[1], shape[2]
        else:
            channels, time = shape[1], shape[2]
        freq = self._fft_length // 2 + 1
        if self.mode == "stft":
            freq *= 2
        frames = _conv_length(time, self.frame_length, self._frame_step, self.padding)
        if self.expand_dims:
            if self.data_format == "channels_last":
                return (shape[0], frames, freq, channels)
            return (shape[0], channels, frames, freq)
        merged = None if channels is None else freq * channels
        if self.data_format == "channels_last":
            return (shape[0], frames, merged)
        return (shape[0], merged, frames)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}


def _hz_to_mel(hz):
    return _MEL_HIGH_Q * np.log(1.0 + np.asarray(hz, "float64") / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int,
                                sampling_rate: float, lower_edge_hertz: float,
                                upper_edge_hertz: float) -> np.ndarray:
    """``(num_spectrogram_bins, num_mel_bins)`` triangular filters, peak 1, on the HTK mel
    scale; the DC bin gets no weight."""
    freqs = np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins)[1:]
    bins_mel = _hz_to_mel(freqs)[:, None]
    edges = np.linspace(_hz_to_mel(lower_edge_hertz), _hz_to_mel(upper_edge_hertz),
                        num_mel_bins + 2)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, ((1, 0), (0, 0))).astype("float32")


class MelSpectrogram(Layer):
    """Mel-scaled power spectrogram of raw audio ``(batch, samples)`` (or one ``(samples,)``
    signal): ``|STFT| ** mag_exp`` through triangular mel filters, in decibels by default.
    Output: ``(batch, num_mel_bins, frames)``, frames ``= 1 + samples // sequence_stride``.

    Args:
        fft_length, sequence_stride, sequence_length, window: the STFT (centered, reflect
            padded); ``sequence_length`` defaults to ``fft_length``.
        sampling_rate: samples per second of the input.
        num_mel_bins, min_freq, max_freq: the mel filter bank (``max_freq`` defaults to half
            the sampling rate).
        power_to_db: convert to decibels ``10 * log10(max(x, min_power) / ref_power)``,
            floored at ``top_db`` below the maximum of the whole batch (as Keras does).
        mag_exp: exponent of the magnitude (2: power).

    Example::

        mel = keraslite.layers.MelSpectrogram(fft_length=256, sequence_stride=128,
                                              num_mel_bins=40)
        mel(np.zeros((2, 1024), "float32")).shape   # (2, 40, 9)
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        cls = "MelSpectrogram"
        self.fft_length = arg_utils.positive_int(cls, "fft_length", fft_length)
        self.sequence_stride = arg_utils.positive_int(cls, "sequence_stride", sequence_stride)
        self.sequence_length = arg_utils.positive_int(
            cls, "sequence_length", sequence_length or fft_length)
        if self.fft_length < self.sequence_length:
            raise arg_utils.invalid(cls, "sequence_length",
                                    f"an int <= fft_length={fft_length}", sequence_length)
        if window not in (None, "hann", "hamming"):
            raise arg_utils.invalid(cls, "window", "'hann', 'hamming' or None", window)
        self.num_mel_bins = arg_utils.positive_int(cls, "num_mel_bins", num_mel_bins)
        for arg, value in (("sampling_rate", sampling_rate), ("min_freq", min_freq),
                           ("top_db", top_db), ("mag_exp", mag_exp),
                           ("min_power", min_power), ("ref_power", ref_power)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise arg_utils.invalid(cls, arg, "a number", value)
        if sampling_rate <= 0:
            raise arg_utils.invalid(cls, "sampling_rate", "a positive number", sampling_rate)
        self.window = window
        self.sampling_rate = sampling_rate
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        if not 0 <= self.min_freq < self.max_freq:
            raise arg_utils.invalid(cls, "min_freq", f"in [0, max_freq={self.max_freq})",
                                    min_freq)
        self.power_to_db = bool(power_to_db)
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") \
            else "float32"
        x = ops.cast(inputs, dtype)
        real, imag = ops.stft(x, self.sequence_length, self.sequence_stride, self.fft_length,
                              window=self.window, center=True)
        spec = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        matrix = linear_to_mel_weight_matrix(
            self.num_mel_bins, self.fft_length // 2 + 1, self.sampling_rate, self.min_freq,
            self.max_freq)
        mel = ops.tensordot(spec, ops.cast(ops.convert_to_tensor(matrix), dtype), axes=1)
        if self.power_to_db:
            mel = self._decibels(mel)
        return ops.cast(ops.swapaxes(mel, -1, -2), self.compute_dtype)

    def _decibels(self, x):
        db = 10.0 * ops.log10(ops.maximum(x, self.min_power))
        db = db - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
        return ops.maximum(db, ops.max(db) - self.top_db)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) not in (1, 2):
            raise ValueError(f"Layer '{self.name}' expects audio of shape (samples,) or "
                             f"(batch, samples). Received: shape={shape}")
        samples = shape[-1]
        frames = None if samples is None else 1 + samples // self.sequence_stride
        return shape[:-1] + (self.num_mel_bins, frames)

    def compute_output_spec(self, inputs, *args, **kwargs):
        # From the closed-form shape: an unknown number of samples stays unknown.
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
