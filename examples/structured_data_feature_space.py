"""Structured-data classification with FeatureSpace: mixed numeric and categorical columns.

Plain Keras 3 code: only the import line names keraslite. The table is SYNTHETIC, a made-up
customer-churn table whose label follows a known rule plus noise: short tenure, high monthly
charges, a month-to-month contract and many support calls make churn likely. Pick the backend
with KERASLITE_BACKEND=jax|tensorflow.

    python examples/structured_data_feature_space.py          # exits 1 if accuracy < 0.75
    python examples/structured_data_feature_space.py --quick  # a smoke test
"""
import argparse
import sys

import numpy as np

import keraslite as keras

TARGET_ACCURACY = 0.75
FeatureSpace = keras.utils.FeatureSpace


def make_table(rows: int, seed: int):
    """A dict of columns and the 0/1 churn label."""
    rng = np.random.default_rng(seed)
    table = {
        "tenure_months": rng.uniform(0, 72, rows).round(1),
        "monthly_charges": rng.uniform(20, 120, rows).round(2),
        "contract": rng.choice(["month-to-month", "one-year", "two-year"], rows,
                               p=[0.5, 0.3, 0.2]),
        "support_calls": rng.poisson(1.5, rows),
        "region": rng.choice(["north", "south", "east", "west"], rows),
    }
    logit = (1.5 - table["tenure_months"] / 18 + (table["monthly_charges"] - 70) / 25
             + 1.2 * (table["contract"] == "month-to-month") - 1.0 * (table["contract"] ==
                                                                     "two-year")
             + 0.6 * (table["support_calls"] - 1.5))
    label = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype("float32")
    return table, label


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small table, 2 epochs")
    args = parser.parse_args(argv)
    rows, epochs = (400, 2) if args.quick else (4000, 20)
    keras.utils.set_random_seed(0)
    train, y_train = make_table(rows, seed=1)
    test, y_test = make_table(rows // 4, seed=2)

    feature_space = FeatureSpace(
        features={
            "tenure_months": FeatureSpace.float_discretized(num_bins=6),
            "monthly_charges": FeatureSpace.float_normalized(),
            "contract": FeatureSpace.string_categorical(num_oov_indices=0),
            "support_calls": FeatureSpace.integer_categorical(max_tokens=8),
            "region": "string_categorical",
        },
        output_mode="concat",
    )
    feature_space.adapt(train)  # learns bins, mean/variance and vocabularies
    x_train, x_test = feature_space(train), feature_space(test)

    encoded_features = feature_space.get_encoded_features()
    x = keras.layers.Dense(32, activation="relu")(encoded_features)
    x = keras.layers.Dropout(0.3)(x)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=encoded_features, outputs=predictions)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.2, verbose=2)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)

    print(f"encoded width: {x_train.shape[-1]}")
    print(f"test accuracy: {accuracy:.4f}")
    if not args.quick and accuracy < TARGET_ACCURACY:
        print(f"error: accuracy {accuracy:.4f} is below {TARGET_ACCURACY}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
