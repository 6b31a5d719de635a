"""A training run with BackupAndRestore, used in-process and as a script killed with SIGKILL.

As a script: ``python backup_training_script.py BACKUP_DIR OUT_FILE SAVE_FREQ``; prints
"batch" after every training batch (so a test can kill it at a chosen batch) and writes the
final weights to OUT_FILE as .npz.
"""
import sys

import numpy as np


def train(backup_dir, save_freq="epoch", crash_after_batches=None, on_batch=None):
    """Trains a small dropout MLP with shuffling, Adam, ReduceLROnPlateau and EarlyStopping;
    returns the final weights. ``crash_after_batches`` raises from a callback to simulate a crash."""
    import keraslite
    from keraslite import callbacks, layers

    keraslite.utils.set_random_seed(7)
    rng = np.random.RandomState(0)
    x = rng.rand(120, 6).astype("float32")
    y = rng.randint(0, 3, 120)
    model = keraslite.Sequential([keraslite.Input((6,)), layers.Dense(16, activation="relu"),
                                  layers.Dropout(0.3), layers.Dense(3)])
    model.compile(optimizer=keraslite.optimizers.Adam(0.02),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seen = {"batches": 0}

    def batch_end(batch, logs):
        seen["batches"] += 1
        if on_batch is not None:
            on_batch()
        if crash_after_batches is not None and seen["batches"] == crash_after_batches:
            raise RuntimeError("simulated crash")

    hooks = [callbacks.LambdaCallback(on_train_batch_end=batch_end),
             callbacks.ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5),
             callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
             callbacks.BackupAndRestore(backup_dir, save_freq=save_freq)]
    model.fit(x, y, epochs=5, batch_size=16, validation_split=0.2, verbose=0, callbacks=hooks)
    return model.get_weights()


if __name__ == "__main__":
    freq = sys.argv[3]
    weights = train(sys.argv[1], save_freq="epoch" if freq == "epoch" else int(freq),
                    on_batch=lambda: print("batch", flush=True))
    np.savez(sys.argv[2], *weights)
