"""Classify scikit-learn's 8x8 handwritten digits with a small convolutional network.

Plain Keras 3 code: only the import line names keraslite. Pick the backend with
KERASLITE_BACKEND=jax|tensorflow (default jax).

    python examples/digits_cnn.py            # full run, exits 1 if test accuracy < 0.95
    python examples/digits_cnn.py --quick    # 2 epochs, a smoke test
    python examples/digits_cnn.py --dtype-policy mixed_float16   # float16 compute, loss scaling
"""
import argparse
import sys
import time

import keraslite as keras

TARGET_ACCURACY = 0.95


def build_model():
    return keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 2 epochs; no accuracy bar")
    parser.add_argument("--epochs", type=int, default=None, help="override the epoch count")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--dtype-policy", default="float32",
                        help="e.g. mixed_float16 or mixed_bfloat16 (weights stay float32)")
    args = parser.parse_args(argv)
    keras.mixed_precision.set_global_policy(args.dtype_policy)
    epochs = args.epochs or (2 if args.quick else 20)

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits()
    # Conv2D wants a channel axis: (n, 8, 8) -> (n, 8, 8, 1).
    x_train = x_train[..., None]
    x_test = x_test[..., None]
    print(f"train: {x_train.shape}, test: {x_test.shape}, backend: {keras.backend.backend()}, "
          f"policy: {args.dtype_policy}")

    model = build_model()
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        batch_size=args.batch_size,
        epochs=epochs,
        validation_split=0.1,
        verbose=2,
    )
    train_seconds = time.perf_counter() - start
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"trained {epochs} epochs in {train_seconds:.1f}s")
    print(f"test loss: {test_loss:.4f}")
    print(f"test accuracy: {test_accuracy:.4f}")

    if not args.quick and test_accuracy < TARGET_ACCURACY:
        print(f"error: test accuracy {test_accuracy:.4f} is below {TARGET_ACCURACY}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
