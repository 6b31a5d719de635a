"""The corpus of Keras 3 ``.keras`` archives: one builder per case, written against Keras's API.

Each builder takes the ``keras`` module and returns ``(model, inputs, train)``: ``inputs`` a list
of NumPy arrays for ``predict``; ``train`` None, or ``(x, y)`` for a compiled model, which the
oracle trains for two steps before saving (so the archive holds optimizer state) and once more
after saving (what keraslite's restored optimizer must reproduce).

The custom classes are defined twice, once against each library, under the same registered
names ("Corpus>..."), as a user moving a model between them would.
"""
import numpy as np

RNG = np.random.default_rng(7)


def _x(*shape):
    return RNG.standard_normal(shape).astype("float32")


def _int(high, *shape):
    return RNG.integers(0, high, shape).astype("int32")


def custom_classes(keras):
    """The registered custom layer and subclassed model, for ``keras`` (Keras or keraslite)."""
    register = (keras.saving.register_keras_serializable
                if hasattr(keras.saving, "register_keras_serializable")
                else keras.saving.register_serializable)

    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    class TwoLayer(keras.Model):
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = keras.layers.Dense(8, activation="tanh")
            self.out = keras.layers.Dense(units)

        def call(self, x):
            return self.out(self.hidden(x))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    class TableShift(keras.layers.Layer):
        """Keeps a table outside its variables, saved through Keras's custom saving hook."""

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
            self.table = np.zeros((input_shape[-1],), "float32")

        def call(self, x):
            return x * self.w + keras.ops.convert_to_tensor(self.table)

        def save_own_variables(self, store):
            store["w"] = self.w
            store["table"] = self.table

        def load_own_variables(self, store):
            self.w.assign(store["w"])
            self.table = np.array(store["table"], "float32")

    return {"Corpus>Scale": register(package="Corpus", name="Scale")(Scale),
            "Corpus>TwoLayer": register(package="Corpus", name="TwoLayer")(TwoLayer),
            "Corpus>TableShift": register(package="Corpus", name="TableShift")(TableShift)}


def seq_mlp(k):
    m = k.Sequential([k.Input((6,)), k.layers.Dense(8, activation="relu"),
                      k.layers.Dense(3, activation="softmax")])
    m.compile(optimizer=k.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m, [_x(5, 6)], (_x(8, 6), _int(3, 8))


def seq_built_without_input(k):
    m = k.Sequential([k.layers.Dense(4, activation="tanh"), k.layers.Dense(2)])
    m.build((None, 5))
    return m, [_x(3, 5)], None


def func_multi_io(k):
    a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
    x = k.layers.Concatenate()([k.layers.Dense(5, activation="relu")(a), k.layers.Dense(5)(b)])
    o1 = k.layers.Dense(2, name="o1")(x)
    o2 = k.layers.Dense(1, activation="sigmoid", name="o2")(x)
    m = k.Model([a, b], [o1, o2])
    m.compile(optimizer=k.optimizers.SGD(0.05, momentum=0.9), loss=["mse", "binary_crossentropy"],
              metrics=[["mae"], ["accuracy"]])
    y = [_x(8, 2), (RNG.random((8, 1)) > 0.5).astype("float32")]
    return m, [_x(4, 4), _x(4, 3)], ([_x(8, 4), _x(8, 3)], y)


def func_shared_layer(k):
    a, b = k.Input((5,)), k.Input((5,))
    shared = k.layers.Dense(4, activation="relu")
    x = k.layers.Add()([shared(a), shared(b)])
    m = k.Model([a, b], k.layers.Dense(2)(x))
    m.compile(optimizer=k.optimizers.RMSprop(0.01), loss="mse")
    return m, [_x(3, 5), _x(3, 5)], ([_x(8, 5), _x(8, 5)], _x(8, 2))


def nested_sequential(k):
    inner = k.Sequential([k.Input((4,)), k.layers.Dense(6, activation="relu"),
                          k.layers.Dropout(0.3), k.layers.Dense(3)], name="inner")
    i = k.Input((4,))
    m = k.Model(i, k.layers.Dense(2)(inner(i)))
    return m, [_x(3, 4)], None


def nested_functional(k):
    ii = k.Input((3,))
    inner = k.Model(ii, k.layers.Dense(4, activation="elu")(ii), name="inner_f")
    i = k.Input((3,))
    m = k.Model(i, k.layers.Multiply()([inner(i), k.layers.Dense(4)(i)]))
    return m, [_x(3, 3)], None


def conv2d(k):
    m = k.Sequential([k.Input((8, 8, 3)), k.layers.Conv2D(4, 3, padding="same",
                                                          activation="relu"),
                      k.layers.MaxPooling2D(), k.layers.Conv2D(4, 3), k.layers.Flatten(),
                      k.layers.Dense(2)])
    m.compile(optimizer=k.optimizers.AdamW(0.01), loss="mse")
    return m, [_x(2, 8, 8, 3)], (_x(4, 8, 8, 3), _x(4, 2))


def conv1d_pooling(k):
    m = k.Sequential([k.Input((10, 3)), k.layers.Conv1D(4, 3, strides=2),
                      k.layers.AveragePooling1D(2, padding="same"),
                      k.layers.GlobalMaxPooling1D(), k.layers.Dense(2)])
    return m, [_x(2, 10, 3)], None


def separable_depthwise(k):
    m = k.Sequential([k.Input((8, 8, 2)), k.layers.DepthwiseConv2D(3, depth_multiplier=2),
                      k.layers.SeparableConv2D(3, 3, padding="same"),
                      k.layers.GlobalAveragePooling2D()])
    return m, [_x(2, 8, 8, 2)], None


def conv_transpose_upsampling(k):
    m = k.Sequential([k.Input((4, 4, 2)), k.layers.Conv2DTranspose(3, 3, strides=2,
                                                                   padding="same"),
                      k.layers.UpSampling2D(), k.layers.ZeroPadding2D(1),
                      k.layers.Cropping2D(2)])
    return m, [_x(2, 4, 4, 2)], None


def batchnorm(k):
    m = k.Sequential([k.Input((6,)), k.layers.Dense(8), k.layers.BatchNormalization(),
                      k.layers.Activation("relu"), k.layers.Dense(2)])
    m.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
    return m, [_x(4, 6)], (_x(8, 6), _x(8, 2))


def norms(k):
    m = k.Sequential([k.Input((5, 8)), k.layers.LayerNormalization(),
                      k.layers.GroupNormalization(groups=2), k.layers.UnitNormalization()])
    return m, [_x(2, 5, 8)], None


def lstm(k):
    m = k.Sequential([k.Input((6, 3)), k.layers.LSTM(5), k.layers.Dense(2)])
    m.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
    return m, [_x(3, 6, 3)], (_x(8, 6, 3), _x(8, 2))


def gru_sequences(k):
    m = k.Sequential([k.Input((6, 3)), k.layers.GRU(4, return_sequences=True),
                      k.layers.SimpleRNN(3)])
    return m, [_x(3, 6, 3)], None


def bidirectional_lstm(k):
    m = k.Sequential([k.Input((5, 3)), k.layers.Bidirectional(k.layers.LSTM(4,
                                                              return_sequences=True)),
                      k.layers.Bidirectional(k.layers.GRU(3), merge_mode="sum")])
    return m, [_x(2, 5, 3)], None


def embedding_lstm(k):
    m = k.Sequential([k.Input((7,), dtype="int32"), k.layers.Embedding(20, 6),
                      k.layers.LSTM(4), k.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=k.optimizers.Adam(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
    return m, [_int(20, 3, 7)], (_int(20, 8, 7), (RNG.random((8, 1)) > 0.5).astype("float32"))


def time_distributed(k):
    m = k.Sequential([k.Input((4, 5)), k.layers.TimeDistributed(k.layers.Dense(3)),
                      k.layers.Flatten()])
    return m, [_x(2, 4, 5)], None


def transformer_block(k):
    i = k.Input((6, 8))
    att = k.layers.MultiHeadAttention(num_heads=2, key_dim=4)(i, i)
    x = k.layers.LayerNormalization()(k.layers.Add()([i, att]))
    ff = k.layers.Dense(8)(k.layers.Dense(16, activation="gelu")(x))
    x = k.layers.LayerNormalization()(k.layers.Add()([x, ff]))
    m = k.Model(i, k.layers.GlobalAveragePooling1D()(x))
    m.compile(optimizer=k.optimizers.Adam(0.005), loss="mse")
    return m, [_x(2, 6, 8)], (_x(4, 6, 8), _x(4, 8))


def dot_attention(k):
    q, v = k.Input((4, 6)), k.Input((5, 6))
    m = k.Model([q, v], k.layers.Attention()([q, v]))
    return m, [_x(2, 4, 6), _x(2, 5, 6)], None


def normalization_rescaling(k):
    norm = k.layers.Normalization()
    norm.adapt(_x(32, 4) * 3 + 1)
    m = k.Sequential([k.Input((4,)), norm, k.layers.Rescaling(0.5, offset=0.1),
                      k.layers.Dense(2)])
    return m, [_x(3, 4)], None


def image_preprocessing(k):
    m = k.Sequential([k.Input((10, 10, 3)), k.layers.CenterCrop(6, 6),
                      k.layers.Rescaling(1 / 255.0), k.layers.Conv2D(2, 3)])
    return m, [_x(2, 10, 10, 3) * 100], None


def category_encoding(k):
    m = k.Sequential([k.Input((3,), dtype="int32"),
                      k.layers.CategoryEncoding(num_tokens=6, output_mode="multi_hot"),
                      k.layers.Dense(2)])
    return m, [_int(6, 4, 3)], None


def reshape_permute_repeat(k):
    m = k.Sequential([k.Input((6,)), k.layers.Reshape((2, 3)), k.layers.Permute((2, 1)),
                      k.layers.Flatten(), k.layers.RepeatVector(2), k.layers.Flatten()])
    return m, [_x(2, 6)], None


def activation_layers(k):
    i = k.Input((5,))
    x = k.layers.Dense(6)(i)
    x = k.layers.LeakyReLU(negative_slope=0.2)(x)
    x = k.layers.PReLU()(k.layers.Dense(6)(x))
    x = k.layers.ELU()(x)
    m = k.Model(i, k.layers.Softmax()(x))
    return m, [_x(3, 5)], None


def merges(k):
    a, b = k.Input((4,)), k.Input((4,))
    x = k.layers.Concatenate()([k.layers.Subtract()([a, b]), k.layers.Maximum()([a, b]),
                                k.layers.Average()([a, b]), k.layers.Dot(axes=1)([a, b])])
    return k.Model([a, b], x), [_x(3, 4), _x(3, 4)], None


def dict_inputs(k):
    a, b = k.Input((3,), name="left"), k.Input((2,), name="right")
    x = k.layers.Concatenate()([a, b])
    m = k.Model({"left": a, "right": b}, k.layers.Dense(2)(x))
    return m, [_x(2, 3), _x(2, 2)], None


def registered_custom_layer(k):
    classes = custom_classes(k)
    m = k.Sequential([k.Input((4,)), k.layers.Dense(4), classes["Corpus>Scale"](factor=3.0)])
    m.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
    return m, [_x(2, 4)], (_x(8, 4), _x(8, 4))


def custom_saving_hook(k):
    """A layer with its own save/load_own_variables: its table only travels through them."""
    shift = custom_classes(k)["Corpus>TableShift"]()
    m = k.Sequential([k.Input((3,)), k.layers.Dense(3), shift])
    shift.table = np.array([0.5, -1.0, 2.0], "float32")
    m.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
    return m, [_x(2, 3)], (_x(8, 3), _x(8, 3))


def subclassed_model(k):
    classes = custom_classes(k)
    m = classes["Corpus>TwoLayer"](units=3)
    m(_x(1, 5))
    return m, [_x(2, 5)], None


def regularized_constrained(k):
    m = k.Sequential([k.Input((5,)), k.layers.Dense(
        4, kernel_regularizer=k.regularizers.L2(0.01), kernel_constraint=k.constraints.MaxNorm(2.0),
        kernel_initializer=k.initializers.HeNormal(seed=1)), k.layers.Dense(1)])
    m.compile(optimizer=k.optimizers.Adam(0.01), loss=k.losses.Huber(), metrics=["mse"])
    return m, [_x(3, 5)], (_x(8, 5), _x(8, 1))


CASES = {f.__name__: f for f in (
    seq_mlp, seq_built_without_input, func_multi_io, func_shared_layer, nested_sequential,
    nested_functional, conv2d, conv1d_pooling, separable_depthwise, conv_transpose_upsampling,
    batchnorm, norms, lstm, gru_sequences, bidirectional_lstm, embedding_lstm,
    time_distributed, transformer_block, dot_attention, normalization_rescaling,
    image_preprocessing, category_encoding, reshape_permute_repeat, activation_layers, merges,
    dict_inputs, registered_custom_layer, custom_saving_hook, subclassed_model,
    regularized_constrained)}
