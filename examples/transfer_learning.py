"""Transfer learning with a prebuilt application: a frozen backbone, a new head, then fine-tuning.

The usual Keras recipe on a small real dataset, scikit-learn's 8x8 handwritten digits, upsampled
to the family's minimum input size and repeated over three channels:

1. a backbone from ``keraslite.applications`` without its classifier, frozen;
2. a new head (global pooling, layer normalization, dropout, a 10-way softmax) trained on top of it;
3. the backbone's last layers unfrozen (BatchNormalization stays frozen) and the whole model
   fine-tuned with a learning rate a hundred times lower.

``--weights`` loads a local weights file for the backbone without its top (a Keras ``.h5`` or
``.weights.h5``, or a keraslite ``.safetensors``), e.g. a published "notop" ImageNet file
downloaded by hand. Without it the backbone is built with ``weights=None``: a frozen random
network, whose features a linear head can still separate when the family passes its input's
signal through (ResNet, the default, by its identity shortcuts). A random MobileNet or
EfficientNet does not: its pooled features are about 1e-10, as the BatchNormalization layers
hold their initial statistics; give those families a weights file.

Plain Keras 3 code: only the import line names keraslite. Pick the backend with
KERASLITE_BACKEND=jax|tensorflow (default jax).

    python examples/transfer_learning.py                          # ResNet50 at 32x32
    python examples/transfer_learning.py --quick                  # a smoke test
    python examples/transfer_learning.py --family DenseNet121 --unfreeze 10
    python examples/transfer_learning.py --family MobileNetV2 --alpha 0.35 \\
        --weights mobilenet_v2_notop.h5                           # from a weights file
"""
import argparse
import inspect
import sys
import time

import numpy as np

import keraslite as keras

# The families whose smallest accepted input is above 32x32 (the others take 32x32).
MIN_SIZE = {"AlexNet": 63, "Xception": 71, "InceptionV3": 75, "InceptionResNetV2": 75}


def load_images(size: int, quick: bool):
    """Digits as RGB images of ``size`` x ``size`` with values 0-255, as photos would be."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits()
    if quick:  # a few batches: the point is that every stage runs
        x_train, y_train, x_test, y_test = x_train[:256], y_train[:256], x_test[:128], y_test[:128]

    def to_rgb(x):
        x = np.repeat(x[..., None] * 255.0, 3, axis=-1)
        x = keras.ops.image.resize(x, (size, size), interpolation="bilinear")
        return np.clip(keras.ops.convert_to_numpy(x), 0.0, 255.0).astype("float32")

    return (to_rgb(x_train), y_train), (to_rgb(x_test), y_test)


def family_constructor(family: str):
    """The model function ``keraslite.applications.<family>``, or an error listing them."""
    names = [n for n in keras.applications.__all__ if n[:1].isupper()]
    if family not in names:
        raise SystemExit(f"unknown --family {family!r}; choose one of: {', '.join(names)}")
    return getattr(keras.applications, family)


def build_backbone(family: str, size: int, weights, alpha: float):
    constructor = family_constructor(family)
    kwargs = {"include_top": False, "weights": weights, "input_shape": (size, size, 3)}
    if "alpha" in inspect.signature(constructor).parameters:
        kwargs["alpha"] = alpha
    backbone = constructor(**kwargs)
    # The family's own preprocessing (caffe, tf or torch mode) lives in its module.
    preprocess = inspect.getmodule(constructor).preprocess_input
    return backbone, preprocess


def build_model(backbone, preprocess, size: int, dropout: float):
    inputs = keras.Input((size, size, 3))
    x = preprocess(inputs)
    # training=False keeps the backbone's BatchNormalization in inference mode, also later
    # when its layers are unfrozen: their statistics stay those of the backbone.
    x = backbone(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    # The features of a backbone the head has never seen can have any scale (a random ResNet's
    # are in the tens): normalizing them lets one learning rate suit every family. Per sample
    # (LayerNormalization), so that training and inference agree while fine-tuning moves them.
    x = keras.layers.LayerNormalization()(x)
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def unfreeze_top(backbone, count: int) -> int:
    """Makes the last ``count`` layers that have weights trainable; BatchNormalization stays."""
    backbone.trainable = True
    with_weights = [layer for layer in backbone.layers if layer.weights]
    top = with_weights[-count:] if count > 0 else []
    for layer in backbone.layers:
        keep = layer in top and not isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = keep
    return sum(1 for layer in top if layer.trainable)


def compile_fit(model, learning_rate: float, x, y, args, epochs: int) -> float:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x, y, batch_size=args.batch_size, epochs=epochs, verbose=2)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="ResNet50",
                        help="a model of keraslite.applications (default ResNet50)")
    parser.add_argument("--alpha", type=float, default=0.35,
                        help="width multiplier, for the families that take one")
    parser.add_argument("--weights", default=None,
                        help="a local weights file for the backbone without its top")
    parser.add_argument("--size", type=int, default=None,
                        help="image side (default: the family's minimum)")
    parser.add_argument("--epochs", type=int, default=None, help="head epochs (default 3)")
    parser.add_argument("--fine-tune-epochs", type=int, default=None, help="default 2")
    parser.add_argument("--unfreeze", type=int, default=20,
                        help="how many of the backbone's last layers with weights to fine-tune")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="stage 1")
    parser.add_argument("--fine-tune-learning-rate", type=float, default=1e-5, help="stage 2")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="1 epoch per stage on a subset")
    args = parser.parse_args(argv)
    size = args.size or MIN_SIZE.get(args.family, 32)
    head_epochs = args.epochs or (1 if args.quick else 3)
    tune_epochs = args.fine_tune_epochs or (1 if args.quick else 2)

    family_constructor(args.family)  # a typo fails now, not after the data are prepared
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_images(size, args.quick)
    start = time.perf_counter()
    backbone, preprocess = build_backbone(args.family, size, args.weights, args.alpha)
    print(f"backbone: {backbone.name} ({backbone.count_params():,} parameters), built in "
          f"{time.perf_counter() - start:.1f}s; images {x_train.shape[1:]}, "
          f"backend: {keras.backend.backend()}")

    # Stage 1: the backbone is frozen, only the new head learns.
    backbone.trainable = False
    model = build_model(backbone, preprocess, size, dropout=0.2)
    print(f"stage 1: {len(model.trainable_weights)} trainable weights (the head); "
          f"train {len(x_train)}, test {len(x_test)}")
    seconds = compile_fit(model, args.learning_rate, x_train, y_train, args, head_epochs)
    print(f"head trained in {seconds:.1f}s")
    if not args.quick:  # an evaluation compiles a step of its own: not worth it in a smoke test
        _, head_accuracy = model.evaluate(x_test, y_test, verbose=0)
        print(f"test accuracy after the head: {head_accuracy:.4f}")

    # Stage 2: the top of the backbone learns too, slowly, so the features are adjusted, not
    # overwritten. A change of `trainable` takes effect at the next compile.
    unfrozen = unfreeze_top(backbone, args.unfreeze)
    print(f"stage 2: {unfrozen} backbone layers unfrozen, "
          f"{len(model.trainable_weights)} trainable weights")
    seconds = compile_fit(model, args.fine_tune_learning_rate, x_train, y_train, args, tune_epochs)
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"fine-tuned in {seconds:.1f}s")
    print(f"test loss: {test_loss:.4f}")
    print(f"test accuracy: {test_accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
