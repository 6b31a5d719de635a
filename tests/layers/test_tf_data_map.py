"""Preprocessing layers inside ``tf.data.Dataset.map`` on either backend (tf_data_bridge): the
mapped dataset yields what the layer gives applied eagerly to the same data, random layers draw
fresh randomness per batch, ``fit`` consumes the mapped dataset, and TextVectorization takes
standardize/split callables written with ``tf.strings``. Skipped without TensorFlow."""
import numpy as np
import pytest

import keraslite
from keraslite import backend, layers

tf = pytest.importorskip("tensorflow")

WORDS = np.array([["a", "b"], ["z", "c"], ["c", "c"], ["b", "q"]])
INTS = np.array([[3, 7], [7, 1], [9, 3], [1, 1]])
FLOATS = np.linspace(-2.0, 3.0, 16, dtype="float32").reshape(4, 4)
IMAGES = np.random.default_rng(0).uniform(0, 255, (4, 6, 6, 3)).astype("float32")
SENTENCES = np.array(["The cat sat.", "a dog, a CAT", "dogs sit", "the end"])


def _deterministic_cases():
    vec = layers.TextVectorization(output_sequence_length=5)
    vec.adapt(SENTENCES)
    bag = layers.TextVectorization(output_mode="count")
    bag.adapt(SENTENCES)
    norm = layers.Normalization()
    norm.adapt(FLOATS)
    return [
        (layers.StringLookup(vocabulary=["a", "b", "c"]), WORDS),
        (layers.StringLookup(vocabulary=["a", "b", "c"], output_mode="multi_hot"), WORDS),
        (layers.StringLookup(vocabulary=["a", "b", "c"], invert=True), INTS % 4),
        (layers.IntegerLookup(vocabulary=[1, 3, 7]), INTS),
        (layers.IntegerLookup(vocabulary=[1, 3, 7], output_mode="count"), INTS),
        (vec, SENTENCES),
        (bag, SENTENCES),
        (norm, FLOATS),
        (layers.Discretization(bin_boundaries=[-1.0, 0.0, 1.5]), FLOATS),
        (layers.CategoryEncoding(num_tokens=10, output_mode="multi_hot"), INTS),
        (layers.Hashing(num_bins=5, salt=7), WORDS),
        (layers.Hashing(num_bins=5, output_mode="one_hot"), INTS),
        (layers.Rescaling(1 / 255.0, offset=-0.5), IMAGES),
        (layers.Resizing(4, 5), IMAGES),
        (layers.CenterCrop(5, 4), IMAGES),
    ]


def _as_values(x):
    x = backend.convert_to_numpy(x) if backend.is_tensor(x) else np.asarray(x)
    return x.astype(str) if x.dtype.kind in "SO" else x


def test_mapped_dataset_matches_eager_call():
    for layer, data in _deterministic_cases():
        # The eager reference runs on the same batches of 2 the dataset yields.
        want = [_as_values(layer(data[i:i + 2])) for i in range(0, len(data), 2)]
        ds = tf.data.Dataset.from_tensor_slices(data).batch(2).map(layer)
        assert all(a in (b, None) for a, b in zip(ds.element_spec.shape[1:], want[0].shape[1:])), \
            (layer.name, ds.element_spec)
        for got, ref in zip(ds.as_numpy_iterator(), want):
            got = _as_values(got)
            if got.dtype.kind in "fc":
                np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5, err_msg=layer.name)
            else:
                np.testing.assert_array_equal(got, ref, err_msg=layer.name)


def test_mapped_unbatched_elements_and_crossing():
    lookup = layers.StringLookup(vocabulary=["a", "b", "c"])
    ds = tf.data.Dataset.from_tensor_slices(WORDS).map(lookup)  # one row per element
    np.testing.assert_array_equal(np.stack(list(ds.as_numpy_iterator())),
                                  _as_values(lookup(WORDS)))
    cross = layers.HashedCrossing(num_bins=13)
    pairs = tf.data.Dataset.from_tensor_slices((INTS[:, 0], WORDS[:, 0])).batch(2)
    got = np.concatenate(list(pairs.map(lambda a, b: cross((a, b))).as_numpy_iterator()))
    np.testing.assert_array_equal(got, _as_values(cross((INTS[:, 0], WORDS[:, 0]))))


@pytest.mark.parametrize("make", [
    lambda: layers.RandomFlip("horizontal", seed=3),
    lambda: layers.RandomBrightness(0.5, seed=3),
    lambda: layers.RandomContrast(0.5, seed=3),
    lambda: layers.Pipeline([layers.Rescaling(0.5), layers.RandomBrightness(0.5, seed=3)]),
], ids=["flip", "brightness", "contrast", "pipeline"])
def test_random_layers_draw_fresh_randomness_per_batch(make):
    layer = make()
    batch = IMAGES[:2]
    ds = tf.data.Dataset.from_tensors(batch).repeat(8).map(layer)
    outs = list(ds.as_numpy_iterator())
    assert all(o.shape == batch.shape and np.isfinite(o).all() for o in outs)
    # Eight draws on the same batch: not all the same, and not all the input unchanged.
    assert len({o.tobytes() for o in outs}) > 1
    assert any(not np.allclose(o, batch) for o in outs)
    if isinstance(layer, layers.RandomFlip):
        flipped = batch[:, :, ::-1]
        for o in outs:
            for i in range(2):
                assert np.allclose(o[i], batch[i]) or np.allclose(o[i], flipped[i])


def test_fit_on_a_mapped_text_dataset():
    vec = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vec.adapt(SENTENCES)
    labels = np.array([1.0, 0.0, 0.0, 1.0], "float32")
    ds = tf.data.Dataset.from_tensor_slices((SENTENCES, labels)).batch(2)
    ds = ds.map(lambda x, y: (vec(x), y))
    model = keraslite.Sequential([keraslite.Input((4,), dtype="int32"),
                                  layers.Embedding(20, 4), layers.GlobalAveragePooling1D(),
                                  layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(ds, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    # The same data, vectorized eagerly, gives the model's outputs the mapped dataset gives.
    want = backend.convert_to_numpy(model.predict(vec(SENTENCES), verbose=0))
    np.testing.assert_allclose(model.predict(ds, verbose=0), want, rtol=1e-5, atol=1e-6)


def _tf_standardize(text):
    return tf.strings.regex_replace(tf.strings.lower(text), "[^a-z ]", "")


def _tf_split(text):
    return tf.strings.split(text, sep=" ")


def test_text_vectorization_takes_tf_strings_callables():
    vec = layers.TextVectorization(standardize=_tf_standardize, split=_tf_split,
                                   output_sequence_length=4)
    vec.adapt(SENTENCES)
    ref = layers.TextVectorization(standardize="lower_and_strip_punctuation",
                                   split="whitespace", output_sequence_length=4)
    ref.adapt(SENTENCES)
    assert vec.get_vocabulary() == ref.get_vocabulary()
    want = _as_values(ref(SENTENCES))
    np.testing.assert_array_equal(_as_values(vec(SENTENCES)), want)
    ds = tf.data.Dataset.from_tensor_slices(SENTENCES).batch(3).map(vec)
    np.testing.assert_array_equal(np.concatenate(list(ds.as_numpy_iterator())), want)


def test_shape_inference_failure_names_the_layer():
    cross = layers.HashedCrossing(num_bins=3)
    ds = tf.data.Dataset.from_tensor_slices((INTS, WORDS[:, 0])).batch(2)
    with pytest.raises((TypeError, ValueError), match="HashedCrossing"):
        ds.map(lambda a, b: cross((a, b)))
