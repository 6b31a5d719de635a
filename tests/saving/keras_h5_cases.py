"""Architectures built identically by Keras 3 (in the oracle subprocess) and by keraslite.

Each builder takes the library module (``keras`` or ``keraslite``) and returns
``(model, inputs)``; the inputs are fixed NumPy arrays. Keep this file free of imports of either
library: the oracle process must never import keraslite, and keraslite's tests never keras.
"""
import numpy as np


def _x(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def mlp(k):
    L = k.layers
    model = k.Sequential([k.Input((6,)), L.Dense(8, activation="relu", name="hidden"),
                          L.Dense(4, activation="softmax", name="probs")], name="mlp")
    return model, [_x((3, 6), 1)]


def cnn(k):
    L = k.layers
    model = k.Sequential([
        k.Input((8, 8, 3)),
        L.Conv2D(4, 3, padding="same", name="conv"),
        L.BatchNormalization(name="bn"),
        L.Activation("relu", name="relu"),
        L.MaxPooling2D(name="pool"),
        L.Flatten(name="flat"),
        L.Dense(5, name="logits"),
    ], name="cnn")
    return model, [_x((2, 8, 8, 3), 2)]


def multi_input(k):
    # Two Dense layers at the same depth: the file keys them dense / dense_1 by graph order.
    L = k.layers
    a, b = k.Input((5,), name="a"), k.Input((3,), name="b")
    x = L.Concatenate()([L.Dense(4, activation="tanh")(a), L.Dense(4)(b)])
    model = k.Model([a, b], L.Dense(2)(x))
    return model, [_x((3, 5), 3), _x((3, 3), 4)]


def nested(k):
    L = k.layers
    inner = k.Sequential([k.Input((4,)), L.Dense(6, name="inner_dense"),
                          L.BatchNormalization(name="inner_bn"), L.Dense(3, name="inner_out")],
                         name="inner")
    x = k.Input((5,))
    y = L.Dense(2, name="head")(inner(L.Dense(4, name="stem")(x)))
    return k.Model(x, y, name="outer"), [_x((3, 5), 5)]


def recurrent(k):
    L = k.layers
    x = k.Input((7, 3))
    h = L.LSTM(5, return_sequences=True)(x)
    h = L.GRU(4, return_sequences=True)(h)
    h = L.TimeDistributed(L.Dense(3))(h)
    y = L.GRU(2, reset_after=False)(h)
    return k.Model(x, y), [_x((2, 7, 3), 6)]


def bidirectional(k):
    L = k.layers
    model = k.Sequential([k.Input((6, 3)), L.Bidirectional(L.LSTM(4)), L.Dense(2)])
    return model, [_x((2, 6, 3), 7)]


def embedding(k):
    L = k.layers
    x = k.Input((5,), dtype="int32")
    h = L.GlobalAveragePooling1D()(L.Embedding(10, 4)(x))
    ids = np.random.default_rng(8).integers(0, 10, (3, 5)).astype("int32")
    return k.Model(x, L.Dense(2)(h)), [ids]


def attention(k):
    L = k.layers
    x = k.Input((6, 8))
    h = L.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    h = L.LayerNormalization()(h + x)
    return k.Model(x, L.Dense(3)(h)), [_x((2, 6, 8), 9)]


def convolutions(k):
    L = k.layers
    model = k.Sequential([
        k.Input((9, 9, 3)),
        L.DepthwiseConv2D(3),
        L.SeparableConv2D(4, 3),
        L.Conv2DTranspose(2, 3, strides=2),
        L.GlobalAveragePooling2D(),
        L.Dense(2),
    ])
    return model, [_x((2, 9, 9, 3), 10)]


def assorted(k):
    # Preprocessing layers are left out: Keras runs them through TensorFlow, which the oracle
    # process does not import.
    L = k.layers
    x = k.Input((6, 4))
    h = L.PReLU()(L.Conv1D(4, 3, padding="same")(x))
    h = L.GroupNormalization(groups=2)(h)
    h = L.SimpleRNN(5, return_sequences=True)(h)
    h = L.EinsumDense("abc,cd->abd", output_shape=(6, 3), bias_axes="d")(h)
    h = L.Flatten()(L.Attention(use_scale=True)([h, h]))
    return k.Model(x, L.Dense(2)(h)), [_x((2, 6, 4), 12)]


def subclassed(k):
    L = k.layers

    class Net(k.Model):
        """Sublayers in a plain attribute, a private attribute behind a property, a list and a
        dict (each stored by Keras under its own group)."""

        def __init__(self):
            super().__init__()
            self._stem = L.Dense(6, activation="relu")
            self.blocks = [L.Dense(6, activation="relu"), L.Dense(6)]
            self.heads = {"norm": L.BatchNormalization(), "out": L.Dense(3)}

        @property
        def stem(self):
            return self._stem

        def call(self, x, training=False):
            h = self._stem(x)
            for block in self.blocks:
                h = block(h)
            return self.heads["out"](self.heads["norm"](h, training=training))

    x = _x((3, 4), 11)
    model = Net()
    model(x)
    return model, [x]


CASES = {f.__name__: f for f in (mlp, cnn, multi_input, nested, recurrent, bidirectional,
                                 embedding, attention, convolutions, assorted, subclassed)}
