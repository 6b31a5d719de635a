"""Models for the save/load round-trip tests, one or more per layer class, built identically in
either backend (test_cross_backend_roundtrip.py builds them in its own process and again in a
subprocess under the other backend).

A case is ``(build, inputs)``: ``build(keraslite)`` returns a built model and ``inputs`` describes
its inputs as ``(shape without batch, kind)``, kind "float", "positive" or "int<high>".
``fix_weights`` gives every float weight a fixed random value, so a round trip cannot pass by
reinitialising weights the same way twice.

Run as a script under the other backend, it loads every file a test saved (see ``main``).
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

import keraslite
from keraslite import layers, ops

BATCH = 3


def _functional(keraslite, inputs, apply):
    """Model(Input(s) -> apply(...)) for input specs ``[(shape, kind), ...]``."""
    tensors = [keraslite.Input(shape, dtype="int32" if kind.startswith("int") else "float32")
               for shape, kind in inputs]
    outputs = apply(tensors if len(tensors) > 1 else tensors[0])
    return keraslite.Model(tensors if len(tensors) > 1 else tensors[0], outputs)


def _specs(inputs):
    """Input specs with the kind filled in: a bare shape means float input."""
    return [spec if len(spec) == 2 and isinstance(spec[1], str) else (spec, "float")
            for spec in inputs]


def _layer_case(make, *inputs):
    """A case applying one layer (``make(layers)``) to the inputs."""
    inputs = _specs(inputs)

    def build(keraslite):
        layer = make(keraslite.layers)
        return _functional(keraslite, inputs, layer)

    return build, inputs


def _apply_case(apply, *inputs):
    """A case applying ``apply(keraslite, tensors)`` (several layers, keyword arguments)."""
    inputs = _specs(inputs)

    def build(keraslite):
        return _functional(keraslite, inputs, lambda t: apply(keraslite, t))

    return build, inputs


def _mha(keraslite, t):
    return keraslite.layers.MultiHeadAttention(num_heads=2, key_dim=3)(t[0], t[1])


def _mha_mask(keraslite, t):
    layer = keraslite.layers.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3,
                                                attention_axes=(1,))
    return layer(t[0], t[1], t[1], use_causal_mask=True)


def _embedding_masked_lstm(keraslite, t):
    x = keraslite.layers.Embedding(10, 4, mask_zero=True)(t)
    return keraslite.layers.LSTM(3, return_sequences=True)(x)


def _masking_gru(keraslite, t):
    x = keraslite.layers.Masking(mask_value=0.0)(t)
    return keraslite.layers.GRU(3)(x)


def _lstm_states(keraslite, t):
    out, h, c = keraslite.layers.LSTM(3, return_state=True, go_backwards=True)(t)
    return keraslite.layers.Concatenate()([out, h, c])


# Every case: name -> (build, input specs).
def _reversible_embedding(keraslite, t):
    embed = keraslite.layers.ReversibleEmbedding(7, 4, tie_weights=False)
    return embed(embed(t), reverse=True)


def _group_query_attention(keraslite, t):
    layer = keraslite.layers.GroupQueryAttention(2, num_query_heads=4, num_key_value_heads=2)
    return layer(t, t, use_causal_mask=True)


CASES = {
    # activations
    "relu": _layer_case(lambda L: L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2), (5,)),
    "leaky_relu": _layer_case(lambda L: L.LeakyReLU(negative_slope=0.2), (5,)),
    "prelu": _layer_case(lambda L: L.PReLU(shared_axes=[1]), (3, 4)),
    "elu": _layer_case(lambda L: L.ELU(alpha=0.7), (5,)),
    "softmax": _layer_case(lambda L: L.Softmax(axis=1), (3, 4)),
    "activation": _layer_case(lambda L: L.Activation("gelu"), (5,)),
    # attention
    "attention": _layer_case(lambda L: L.Attention(use_scale=True, score_mode="concat"),
                             (4, 3), (5, 3)),
    "additive_attention": _layer_case(lambda L: L.AdditiveAttention(), (4, 3), (5, 3)),
    "multi_head_attention": _apply_case(_mha, (4, 6), (5, 6)),
    "multi_head_attention_causal": _apply_case(_mha_mask, (4, 6), (4, 5)),
    "einsum_dense": _layer_case(lambda L: L.EinsumDense("abc,cd->abd", output_shape=(None, 5),
                                                        bias_axes="d", activation="tanh"),
                                (3, 4)),
    # convolutions
    "conv1d": _layer_case(lambda L: L.Conv1D(4, 3, strides=2, padding="same",
                                             activation="relu"), (9, 3)),
    "conv1d_causal_dilated": _layer_case(lambda L: L.Conv1D(2, 2, padding="causal",
                                                            dilation_rate=2), (8, 3)),
    "conv2d": _layer_case(lambda L: L.Conv2D(4, 3, padding="same", groups=2), (6, 5, 4)),
    "conv2d_channels_first": _layer_case(lambda L: L.Conv2D(3, (2, 3), strides=(1, 2),
                                                            data_format="channels_first"),
                                         (2, 6, 7)),
    "conv3d": _layer_case(lambda L: L.Conv3D(2, 2, strides=2), (4, 4, 4, 3)),
    "conv1d_transpose": _layer_case(lambda L: L.Conv1DTranspose(3, 3, strides=2), (5, 2)),
    "conv2d_transpose": _layer_case(lambda L: L.Conv2DTranspose(3, 3, strides=2, padding="same",
                                                                output_padding=1), (4, 4, 2)),
    "conv3d_transpose": _layer_case(lambda L: L.Conv3DTranspose(2, 2, strides=2), (3, 3, 3, 2)),
    "depthwise_conv1d": _layer_case(lambda L: L.DepthwiseConv1D(3, depth_multiplier=2), (7, 3)),
    "depthwise_conv2d": _layer_case(lambda L: L.DepthwiseConv2D(3, padding="same"), (5, 5, 3)),
    "separable_conv1d": _layer_case(lambda L: L.SeparableConv1D(4, 3, depth_multiplier=2),
                                    (7, 3)),
    "separable_conv2d": _layer_case(lambda L: L.SeparableConv2D(4, 3, activation="relu"),
                                    (6, 6, 3)),
    # core
    "dense": _layer_case(lambda L: L.Dense(4, activation="sigmoid", kernel_regularizer="l2",
                                           kernel_constraint="max_norm"), (5,)),
    "dense_3d": _layer_case(lambda L: L.Dense(3, use_bias=False), (2, 5)),
    "embedding": _layer_case(lambda L: L.Embedding(12, 4), ((5,), "int12")),
    "embedding_masked_lstm": _apply_case(_embedding_masked_lstm, ((6,), "int10")),
    "masking_gru": _apply_case(_masking_gru, (5, 3)),
    "identity": _layer_case(lambda L: L.Identity(), (4,)),
    "activity_regularization": _layer_case(lambda L: L.ActivityRegularization(l1=0.1, l2=0.2),
                                           (4,)),
    # merging
    "add": _layer_case(lambda L: L.Add(), (4,), (4,)),
    "concatenate": _layer_case(lambda L: L.Concatenate(axis=1), (2, 3), (4, 3)),
    "subtract": _layer_case(lambda L: L.Subtract(), (4,), (4,)),
    "multiply": _layer_case(lambda L: L.Multiply(), (4,), (4,), (4,)),
    "average": _layer_case(lambda L: L.Average(), (4,), (4,)),
    "maximum": _layer_case(lambda L: L.Maximum(), (4,), (4,)),
    "minimum": _layer_case(lambda L: L.Minimum(), (4,), (4,)),
    "dot": _layer_case(lambda L: L.Dot(axes=(2, 2), normalize=True), (3, 4), (5, 4)),
    # normalization
    "batch_normalization": _layer_case(lambda L: L.BatchNormalization(momentum=0.8, axis=1),
                                       (3, 4)),
    "group_normalization": _layer_case(lambda L: L.GroupNormalization(groups=2), (3, 4)),
    "layer_normalization": _layer_case(lambda L: L.LayerNormalization(rms_scaling=True), (3, 4)),
    "unit_normalization": _layer_case(lambda L: L.UnitNormalization(axis=1), (3, 4)),
    # pooling
    "max_pooling1d": _layer_case(lambda L: L.MaxPooling1D(3, strides=2, padding="same"), (7, 2)),
    "max_pooling2d": _layer_case(lambda L: L.MaxPooling2D(2), (6, 5, 2)),
    "max_pooling3d": _layer_case(lambda L: L.MaxPooling3D(2), (4, 4, 4, 2)),
    "average_pooling1d": _layer_case(lambda L: L.AveragePooling1D(2), (6, 2)),
    "average_pooling2d": _layer_case(lambda L: L.AveragePooling2D(3, strides=2, padding="same"),
                                     (7, 6, 2)),
    "average_pooling3d": _layer_case(lambda L: L.AveragePooling3D(2), (4, 4, 4, 2)),
    "global_average_pooling1d": _layer_case(lambda L: L.GlobalAveragePooling1D(), (5, 3)),
    "global_average_pooling2d": _layer_case(lambda L: L.GlobalAveragePooling2D(keepdims=True),
                                            (4, 5, 3)),
    "global_average_pooling3d": _layer_case(lambda L: L.GlobalAveragePooling3D(), (3, 3, 3, 2)),
    "global_max_pooling1d": _layer_case(lambda L: L.GlobalMaxPooling1D(), (5, 3)),
    "global_max_pooling2d": _layer_case(lambda L: L.GlobalMaxPooling2D(), (4, 5, 3)),
    "global_max_pooling3d": _layer_case(
        lambda L: L.GlobalMaxPooling3D(data_format="channels_first"), (2, 3, 3, 3)),
    "adaptive_average_pooling2d": _layer_case(lambda L: L.AdaptiveAveragePooling2D((2, 3)),
                                              (5, 7, 2)),
    "adaptive_average_pooling1d": _layer_case(lambda L: L.AdaptiveAveragePooling1D(3), (7, 2)),
    "adaptive_average_pooling3d": _layer_case(lambda L: L.AdaptiveAveragePooling3D(2),
                                              (3, 4, 5, 2)),
    "adaptive_max_pooling1d": _layer_case(lambda L: L.AdaptiveMaxPooling1D(4), (9, 2)),
    "adaptive_max_pooling2d": _layer_case(lambda L: L.AdaptiveMaxPooling2D((3, 2)), (7, 5, 2)),
    "adaptive_max_pooling3d": _layer_case(lambda L: L.AdaptiveMaxPooling3D((2, 1, 2)),
                                          (3, 4, 5, 2)),
    "layer_scale": _layer_case(lambda L: L.LayerScale(0.1, 4), (3, 4)),
    "stochastic_depth": _layer_case(lambda L: L.StochasticDepth(0.2, seed=1), (3, 4)),
    "stft_spectrogram": _layer_case(
        lambda L: L.STFTSpectrogram(mode="magnitude", frame_length=16, frame_step=8,
                                    fft_length=16), (64, 1)),
    "mel_spectrogram": _layer_case(
        lambda L: L.MelSpectrogram(fft_length=32, sequence_stride=16, num_mel_bins=8,
                                   sampling_rate=8000, power_to_db=False, mag_exp=1.0),
        (128,)),
    "spectral_normalization": _layer_case(
        lambda L: L.SpectralNormalization(L.Conv2D(3, 2), power_iterations=2), (5, 5, 2)),
    # preprocessing
    "rescaling": _layer_case(lambda L: L.Rescaling(1 / 255, offset=-0.5), (4,)),
    "normalization": _layer_case(lambda L: L.Normalization(mean=[0.5, -1.0, 2.0],
                                                           variance=[4.0, 0.25, 1.0]), (3,)),
    "normalization_invert": _layer_case(lambda L: L.Normalization(axis=None, mean=1.5,
                                                                  variance=2.0, invert=True),
                                        (3,)),
    "resizing": _layer_case(lambda L: L.Resizing(5, 3), (4, 6, 2)),
    "resizing_nearest": _layer_case(lambda L: L.Resizing(3, 3, interpolation="nearest",
                                                         crop_to_aspect_ratio=True), (4, 6, 2)),
    "center_crop": _layer_case(lambda L: L.CenterCrop(3, 2), (5, 5, 2)),
    "random_flip": _layer_case(lambda L: L.RandomFlip(seed=3), (4, 4, 2)),
    "random_crop": _layer_case(lambda L: L.RandomCrop(4, 4, seed=3), (4, 4, 2)),
    "random_contrast": _layer_case(lambda L: L.RandomContrast(0.3, seed=3), (4, 4, 2)),
    "random_translation": _layer_case(lambda L: L.RandomTranslation(0.2, 0.1, seed=3), (4, 4, 2)),
    "random_rotation": _layer_case(lambda L: L.RandomRotation(0.1, seed=3), (4, 4, 2)),
    "random_zoom": _layer_case(lambda L: L.RandomZoom(0.2, seed=3), (4, 4, 2)),
    "category_encoding": _layer_case(lambda L: L.CategoryEncoding(num_tokens=6,
                                                                  output_mode="count"),
                                     ((4,), "int6")),
    "discretization": _layer_case(lambda L: L.Discretization(bin_boundaries=[-1.0, 0.0, 0.5]),
                                  (4,)),
    "integer_lookup": _layer_case(lambda L: L.IntegerLookup(vocabulary=[3, 1, 4, 5],
                                                            output_mode="one_hot"),
                                  ((3,), "int7")),
    # recurrent
    "simple_rnn": _layer_case(lambda L: L.SimpleRNN(4, return_sequences=True), (5, 3)),
    "lstm": _layer_case(lambda L: L.LSTM(4), (5, 3)),
    "lstm_states": _apply_case(_lstm_states, (5, 3)),
    "gru": _layer_case(lambda L: L.GRU(4, reset_after=False, go_backwards=True), (5, 3)),
    "rnn_simple_cell": _layer_case(lambda L: L.RNN(L.SimpleRNNCell(3), return_sequences=True),
                                   (5, 3)),
    "rnn_lstm_cell": _layer_case(lambda L: L.RNN(L.LSTMCell(2), go_backwards=True), (5, 3)),
    "rnn_gru_cell": _layer_case(lambda L: L.RNN(L.GRUCell(4)), (5, 3)),
    "bidirectional": _layer_case(lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True),
                                                           merge_mode="sum"), (5, 2)),
    "time_distributed": _layer_case(lambda L: L.TimeDistributed(L.Dense(3)), (4, 5)),
    # regularization (identity at inference; their RNG state is saved too)
    "dropout": _layer_case(lambda L: L.Dropout(0.5, seed=1), (4,)),
    "spatial_dropout1d": _layer_case(lambda L: L.SpatialDropout1D(0.5), (4, 3)),
    "spatial_dropout2d": _layer_case(lambda L: L.SpatialDropout2D(0.5), (3, 3, 2)),
    "spatial_dropout3d": _layer_case(lambda L: L.SpatialDropout3D(0.5), (2, 2, 2, 2)),
    "gaussian_noise": _layer_case(lambda L: L.GaussianNoise(0.3), (4,)),
    "gaussian_dropout": _layer_case(lambda L: L.GaussianDropout(0.3), (4,)),
    "alpha_dropout": _layer_case(lambda L: L.AlphaDropout(0.3), (4,)),
    # reshaping
    "flatten": _layer_case(lambda L: L.Flatten(), (2, 3, 2)),
    "reshape": _layer_case(lambda L: L.Reshape((2, -1)), (3, 4)),
    "zero_padding1d": _layer_case(lambda L: L.ZeroPadding1D((1, 2)), (3, 2)),
    "zero_padding2d": _layer_case(lambda L: L.ZeroPadding2D(((1, 0), (0, 2))), (3, 3, 2)),
    "zero_padding3d": _layer_case(lambda L: L.ZeroPadding3D(1), (2, 2, 2, 1)),
    "cropping1d": _layer_case(lambda L: L.Cropping1D((1, 2)), (6, 2)),
    "cropping2d": _layer_case(lambda L: L.Cropping2D(((1, 0), (0, 1))), (4, 4, 2)),
    "cropping3d": _layer_case(lambda L: L.Cropping3D(1), (4, 4, 4, 1)),
    "upsampling1d": _layer_case(lambda L: L.UpSampling1D(3), (3, 2)),
    "upsampling2d": _layer_case(lambda L: L.UpSampling2D(2, interpolation="bilinear"), (3, 3, 2)),
    "upsampling3d": _layer_case(lambda L: L.UpSampling3D(2), (2, 2, 2, 1)),
    "permute": _layer_case(lambda L: L.Permute((2, 1)), (3, 4)),
    "repeat_vector": _layer_case(lambda L: L.RepeatVector(3), (4,)),
    # issue 16 layers
    "rms_normalization": _layer_case(lambda L: L.RMSNormalization(axis=[1, 2]), (3, 4)),
    "reversible_embedding": _apply_case(_reversible_embedding, ((3,), "int7")),
    "group_query_attention": _apply_case(_group_query_attention, (4, 6)),
    "stacked_rnn_cells": _layer_case(
        lambda L: L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)])), (5, 3)),
    "conv_lstm1d": _layer_case(lambda L: L.ConvLSTM1D(2, 3, return_sequences=True), (3, 6, 2)),
    "conv_lstm2d": _layer_case(lambda L: L.ConvLSTM2D(2, 3, padding="same"), (2, 4, 4, 1)),
    "conv_lstm3d": _layer_case(lambda L: L.ConvLSTM3D(2, 2), (2, 3, 3, 3, 1)),
    "random_brightness": _layer_case(lambda L: L.RandomBrightness(0.2, seed=3), (4, 4, 3)),
    "random_grayscale": _layer_case(lambda L: L.RandomGrayscale(seed=3), (4, 4, 3)),
    "random_invert": _layer_case(lambda L: L.RandomInvert(seed=3), (4, 4, 3)),
    "random_posterization": _layer_case(lambda L: L.RandomPosterization(4, seed=3), (4, 4, 3)),
    "solarization": _layer_case(lambda L: L.Solarization(0.2, 0.5, seed=3), (4, 4, 3)),
    "auto_contrast": _layer_case(lambda L: L.AutoContrast(), (4, 4, 3)),
    "random_sharpness": _layer_case(lambda L: L.RandomSharpness(0.3, seed=3), (4, 4, 3)),
    "random_gaussian_blur": _layer_case(lambda L: L.RandomGaussianBlur(seed=3), (4, 4, 3)),
    "random_hue": _layer_case(lambda L: L.RandomHue(0.2, seed=3), (4, 4, 3)),
    "random_saturation": _layer_case(lambda L: L.RandomSaturation(0.5, seed=3), (4, 4, 3)),
    "random_color_jitter": _layer_case(
        lambda L: L.RandomColorJitter(brightness_factor=0.1, hue_factor=0.1, seed=3), (4, 4, 3)),
    "pipeline": _layer_case(lambda L: L.Pipeline([L.AutoContrast(), L.RandomInvert(seed=1)]),
                            (4, 4, 3)),
    "mix_up": _layer_case(lambda L: L.MixUp(seed=3), (4, 4, 3)),
    "cut_mix": _layer_case(lambda L: L.CutMix(seed=3), (4, 4, 3)),
    "equalization": _layer_case(lambda L: L.Equalization(), (4, 4, 3)),
    "clahe": _layer_case(
        lambda L: L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2)),
        (4, 4, 3)),
    "random_erasing": _layer_case(lambda L: L.RandomErasing(seed=3), (4, 4, 3)),
    "random_shear": _layer_case(lambda L: L.RandomShear(0.2, 0.1, seed=3), (4, 4, 3)),
    "random_perspective": _layer_case(lambda L: L.RandomPerspective(seed=3), (4, 4, 3)),
    "random_elastic_transform": _layer_case(lambda L: L.RandomElasticTransform(seed=3),
                                            (4, 4, 3)),
    "random_color_degeneration": _layer_case(lambda L: L.RandomColorDegeneration(0.5, seed=3),
                                             (4, 4, 3)),
    "aug_mix": _layer_case(lambda L: L.AugMix(num_chains=1, chain_depth=1, seed=3), (4, 4, 3)),
    "rand_augment": _layer_case(lambda L: L.RandAugment(num_ops=1, seed=3), (4, 4, 3)),
    "max_num_bounding_boxes": _layer_case(lambda L: L.MaxNumBoundingBoxes(3), (4, 4, 3)),
}


def make_inputs(inputs, seed=0):
    """Fixed inputs for a case's input specs (a list when the model takes several)."""
    rng = np.random.default_rng(seed)
    out = []
    for shape, kind in inputs:
        full = (BATCH,) + tuple(shape)
        if kind.startswith("int"):
            out.append(rng.integers(0, int(kind[3:]), size=full).astype("int32"))
        else:
            value = rng.standard_normal(full).astype("float32")
            out.append(np.abs(value) + 0.1 if kind == "positive" else value)
    return out if len(out) > 1 else out[0]


def fix_weights(model, seed=1):
    """Sets every float weight to fixed random values (variances positive)."""
    rng = np.random.default_rng(seed)
    values = []
    for weight in model.weights:
        current = np.asarray(weight.numpy())
        if current.dtype.kind != "f":
            values.append(current)
            continue
        value = (0.5 * rng.standard_normal(current.shape)).astype(current.dtype)
        if "variance" in weight.name:
            value = np.abs(value) + 0.5
        values.append(value)
    model.set_weights(values)


# --- whole models: Sequential, shared and nested layers, raw ops, custom classes -------------


@keraslite.saving.register_serializable(package="RoundTrip")
class GatedResidual(keraslite.Model):
    """A subclassed model, registered: loads by its registered name alone."""

    def __init__(self, units=4, gate_bias=0.5, **kwargs):
        super().__init__(**kwargs)
        self.units, self.gate_bias = units, gate_bias
        self.transform = layers.Dense(units)
        self.gate = layers.Dense(units, activation="sigmoid")

    def call(self, x):
        return self.transform(x) * (self.gate(x) + self.gate_bias) + x

    def get_config(self):
        return {**super().get_config(), "units": self.units, "gate_bias": self.gate_bias}


class ScaledTanh(layers.Layer):
    """A custom layer that is NOT registered: loading needs custom_objects={"ScaledTanh": ...}."""

    def __init__(self, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="alpha")

    def call(self, x):
        return self.scale * ops.tanh(x * self.alpha)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class TwoTower(keraslite.Model):
    """A subclassed model that is NOT registered (and holds the unregistered ScaledTanh)."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.left = layers.Dense(units, activation="relu")
        self.right = ScaledTanh(scale=0.5)
        self.merge = layers.Dense(2)

    def call(self, x):
        return self.merge(ops.concatenate([self.left(x), self.right(x)], axis=-1))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


CUSTOM_OBJECTS = {"ScaledTanh": ScaledTanh, "TwoTower": TwoTower}


def _sequential(keraslite):
    L = keraslite.layers
    return keraslite.Sequential([keraslite.Input((5,)), L.Dense(4, activation="relu"),
                                 L.BatchNormalization(), L.Dropout(0.2), L.Dense(2)])


def _shared(keraslite):
    L = keraslite.layers
    a, b = keraslite.Input((4,)), keraslite.Input((4,))
    shared = L.Dense(4, activation="tanh")
    twice = shared(shared(a))  # one layer called three times, on two inputs
    return keraslite.Model([a, b], L.Concatenate()([twice, shared(b)]))


def _nested(keraslite):
    L = keraslite.layers
    inner_seq = keraslite.Sequential([keraslite.Input((4,)), L.Dense(3, activation="relu")])
    x = keraslite.Input((3,))
    inner_fn = keraslite.Model(x, L.Dense(2)(L.LayerNormalization()(x)))
    seq_of_fn = keraslite.Sequential([keraslite.Input((3,)), inner_fn, L.Dense(3)])
    inputs = keraslite.Input((4,))
    h = inner_seq(inputs)
    return keraslite.Model(inputs, L.Add()([L.Dense(3)(seq_of_fn(h)), h]))


def _raw_ops(keraslite):
    x = keraslite.Input((5,))
    y = ops.relu(x * 2.0 - 0.5)
    z = y[:, 1:]
    w = ops.concatenate([z, ops.exp(x[:, :2]) / 3.0], axis=-1)
    out = ops.sum(w * ops.sigmoid(x[:, ::-1][:, :1]), axis=-1, keepdims=True) + ops.mean(x)
    return keraslite.Model(x, keraslite.layers.Dense(2)(ops.tanh(w)) + out)


def _subclassed(keraslite):
    model = GatedResidual(units=4, gate_bias=0.25)
    model.build((None, 4))
    return model


def _subclassed_custom_objects(keraslite):
    model = TwoTower(units=3)
    model.build((None, 4))
    return model


def _custom_objects(keraslite):
    x = keraslite.Input((4,))
    return keraslite.Model(x, ScaledTanh(scale=1.5)(keraslite.layers.Dense(3)(x)))


MODEL_CASES = {
    "model_sequential": (_sequential, _specs([(5,)])),
    "model_shared_layers": (_shared, _specs([(4,), (4,)])),
    "model_nested": (_nested, _specs([(4,)])),
    "model_raw_ops": (_raw_ops, _specs([(5,)])),
    "model_subclassed_registered": (_subclassed, _specs([(4,)])),
    "model_custom_objects": (_custom_objects, _specs([(4,)])),
    "model_subclassed_custom_objects": (_subclassed_custom_objects, _specs([(4,)])),
}
NEEDS_CUSTOM_OBJECTS = {"model_custom_objects", "model_subclassed_custom_objects"}
ALL_CASES = {**CASES, **MODEL_CASES}


# --- compiled models: optimizer state --------------------------------------------------------

OPTIMIZERS = {
    "adam": lambda o: o.Adam(learning_rate=0.01, amsgrad=True),
    "sgd_momentum": lambda o: o.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda o: o.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
}


def optimizer_model(keraslite, name):
    L = keraslite.layers
    model = keraslite.Sequential([keraslite.Input((4,)), L.Dense(8, activation="relu"),
                                  L.Dense(2)])
    model.compile(optimizer=OPTIMIZERS[name](keraslite.optimizers), loss="mse")
    fix_weights(model, seed=2)
    return model


def training_batches():
    """Three fixed (x, y) batches: two before saving, one after loading."""
    rng = np.random.default_rng(5)
    return [(rng.standard_normal((8, 4)).astype("float32"),
             rng.standard_normal((8, 2)).astype("float32")) for _ in range(3)]


# --- the other backend's side ----------------------------------------------------------------


def _numpy(value):
    if isinstance(value, (list, tuple)):
        return [_numpy(v) for v in value]
    return keraslite.backend.convert_to_numpy(value)


def predict(model, x):
    """Outputs in inference mode, as NumPy (a list for several outputs)."""
    return _numpy(model(x, training=False))


def _store(out, key, value):
    if isinstance(value, list):
        for i, v in enumerate(value):
            out[f"{key}/{i}"] = np.asarray(v)
    else:
        out[key] = np.asarray(value)


def load_everything(folder):
    """Loads what the other backend saved in ``folder``; returns (arrays, errors)."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    inputs = np.load(os.path.join(folder, "inputs.npz"))
    out, errors = {}, {}
    for name in manifest["cases"]:
        build, specs = ALL_CASES[name]
        x = [inputs[f"{name}/{i}"] for i in range(len(specs))]
        x = x if len(x) > 1 else x[0]
        custom = CUSTOM_OBJECTS if name in NEEDS_CUSTOM_OBJECTS else None
        try:
            model = keraslite.models.load_model(os.path.join(folder, f"{name}.keraslite"),
                                                custom_objects=custom)
            _store(out, f"{name}/loaded", predict(model, x))
            _store(out, f"{name}/weights", model.get_weights())
            rebuilt = build(keraslite)  # the architecture from code, weights from the file
            rebuilt.load_weights(os.path.join(folder, f"{name}.safetensors"))
            _store(out, f"{name}/load_weights", predict(rebuilt, x))
        except Exception as error:  # noqa: BLE001 - reported per case to the test
            errors[name] = f"{type(error).__name__}: {error}"
    batches = training_batches()
    for name in manifest["optimizers"]:
        try:
            model = keraslite.models.load_model(os.path.join(folder, f"opt_{name}.keraslite"))
            _store(out, f"opt_{name}/optimizer",
                   [np.asarray(v.numpy()) for v in model.optimizer.variables])
            model.train_on_batch(*batches[2])
            _store(out, f"opt_{name}/after", model.get_weights())
        except Exception as error:  # noqa: BLE001
            errors[f"opt_{name}"] = f"{type(error).__name__}: {error}"
    return out, errors


def main(folder):
    out, errors = load_everything(folder)
    np.savez(os.path.join(folder, "other_backend.npz"), **out)
    with open(os.path.join(folder, "other_backend_errors.json"), "w") as f:
        json.dump({"backend": keraslite.backend.backend(), "errors": errors}, f)


if __name__ == "__main__":
    main(sys.argv[1])
