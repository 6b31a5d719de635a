"""Text classification from a folder of .txt files, with TextVectorization.

Plain Keras 3 code: only the import line names keraslite. The reviews are SYNTHETIC: short
sentences built from positive or negative word lists (so the labels are known exactly), written
to a temporary folder laid out as text_dataset_from_directory expects (one subfolder per
class). Pick the backend with KERASLITE_BACKEND=jax|tensorflow.

    python examples/text_classification.py            # exits 1 if test accuracy < 0.9
    python examples/text_classification.py --quick    # a smoke test
"""
import argparse
import pathlib
import sys
import tempfile

import numpy as np

import keraslite as keras

TARGET_ACCURACY = 0.9
POSITIVE = ["great", "wonderful", "moving", "brilliant", "funny", "superb", "charming"]
NEGATIVE = ["boring", "awful", "dull", "clumsy", "tedious", "weak", "predictable"]
NEUTRAL = ["the", "film", "plot", "acting", "was", "and", "really", "quite", "story", "cast",
           "music", "ending", "a", "bit", "very", "of"]


def write_reviews(root: pathlib.Path, count: int, seed: int) -> None:
    """``count`` synthetic reviews per class under root/neg and root/pos."""
    rng = np.random.default_rng(seed)
    for label, words in (("neg", NEGATIVE), ("pos", POSITIVE)):
        (root / label).mkdir(parents=True)
        for i in range(count):
            # Mostly neutral filler with two or three words that carry the sentiment.
            tokens = list(rng.choice(NEUTRAL, size=rng.integers(6, 14)))
            for _ in range(rng.integers(2, 4)):
                tokens.insert(int(rng.integers(0, len(tokens) + 1)), str(rng.choice(words)))
            text = " ".join(tokens).capitalize() + "."
            (root / label / f"{i}.txt").write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, 2 epochs")
    args = parser.parse_args(argv)
    per_class, epochs = (60, 2) if args.quick else (400, 10)
    keras.utils.set_random_seed(0)

    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        write_reviews(root / "train", per_class, seed=1)
        write_reviews(root / "test", per_class // 2, seed=2)
        batch_size = 32
        raw_train_ds, raw_val_ds = keras.utils.text_dataset_from_directory(
            root / "train", batch_size=batch_size, validation_split=0.2, subset="both", seed=42)
        raw_test_ds = keras.utils.text_dataset_from_directory(root / "test",
                                                              batch_size=batch_size)
        print("classes:", raw_train_ds.class_names)

        max_features, sequence_length = 200, 24
        vectorize_layer = keras.layers.TextVectorization(
            max_tokens=max_features, output_mode="int", output_sequence_length=sequence_length)
        # Learn the vocabulary from the training texts only (no labels).
        vectorize_layer.adapt(raw_train_ds.map(lambda x, y: x))

        def vectorize_text(text, label):
            return vectorize_layer(text), label

        train_ds = raw_train_ds.map(vectorize_text)
        val_ds = raw_val_ds.map(vectorize_text)
        test_ds = raw_test_ds.map(vectorize_text)

        model = keras.Sequential([
            keras.Input(shape=(sequence_length,), dtype="int32"),
            keras.layers.Embedding(max_features, 16),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                      metrics=["accuracy"])
        model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=2)
        test_loss, test_accuracy = model.evaluate(test_ds, verbose=0)

    print(f"test loss: {test_loss:.4f}")
    print(f"test accuracy: {test_accuracy:.4f}")
    if not args.quick and test_accuracy < TARGET_ACCURACY:
        print(f"error: test accuracy {test_accuracy:.4f} is below {TARGET_ACCURACY}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
