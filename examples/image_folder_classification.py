"""Image classification from a folder of PNG files with image_dataset_from_directory and
augmentation layers.

Plain Keras 3 code: only the import line names keraslite. The folder is made on the fly from
scikit-learn's bundled 8x8 handwritten digits (no download): each digit becomes a 32x32 PNG in a
subfolder named after its class, the layout image_dataset_from_directory expects. Pick the
backend with KERASLITE_BACKEND=jax|tensorflow.

    python examples/image_folder_classification.py          # exits 1 if accuracy < 0.9
    python examples/image_folder_classification.py --quick  # a smoke test
"""
import argparse
import pathlib
import sys
import tempfile

import numpy as np

import keraslite as keras

TARGET_ACCURACY = 0.9
IMAGE_SIZE = (32, 32)


def write_image_folder(root: pathlib.Path, limit: int) -> None:
    from sklearn.datasets import load_digits

    digits = load_digits()
    for i, (image, label) in enumerate(zip(digits.images[:limit], digits.target[:limit])):
        folder = root / f"digit_{label}"
        folder.mkdir(parents=True, exist_ok=True)
        pixels = (image / 16.0 * 255).astype("uint8")[..., None]  # 0..16 -> 0..255, one channel
        img = keras.utils.array_to_img(np.repeat(pixels, 3, axis=-1), scale=False)
        img.resize(IMAGE_SIZE).save(folder / f"{i}.png")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 images, 1 epoch")
    args = parser.parse_args(argv)
    limit, epochs = (200, 1) if args.quick else (1797, 12)
    keras.utils.set_random_seed(0)

    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        write_image_folder(root, limit)
        train_ds, val_ds = keras.utils.image_dataset_from_directory(
            root, validation_split=0.2, subset="both", seed=1337, image_size=IMAGE_SIZE,
            batch_size=64, color_mode="grayscale")
        num_classes = len(train_ds.class_names)

        data_augmentation = keras.Sequential([
            keras.layers.RandomRotation(0.05),
            keras.layers.RandomZoom(0.1),
            keras.layers.RandomTranslation(0.05, 0.05),
        ])
        inputs = keras.Input(shape=IMAGE_SIZE + (1,))
        x = data_augmentation(inputs)  # active in fit only
        x = keras.layers.Rescaling(1.0 / 255)(x)
        x = keras.layers.Conv2D(16, 3, activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Conv2D(32, 3, activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dropout(0.25)(x)
        outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=2)
        _, accuracy = model.evaluate(val_ds, verbose=0)

    print(f"test accuracy: {accuracy:.4f}")
    if not args.quick and accuracy < TARGET_ACCURACY:
        print(f"error: accuracy {accuracy:.4f} is below {TARGET_ACCURACY}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
