"""Run as a script: ``keras_weights_oracle.py`` for models with a ``Normalization`` layer.

The shared oracle draws every weight it does not know as a small normal value; a
``Normalization`` layer's ``variance`` must be positive (its square root divides the input), so
here it is redrawn in [0.5, 1.5] like the batch normalization variances. Same stdin, files and
output as ``keras_weights_oracle.py``.
"""

import keras_weights_oracle as oracle

_shared_random_weights = oracle.random_weights


def random_weights(model, rng):
    _shared_random_weights(model, rng)
    for w in model.weights:
        if w.path.endswith("/variance"):  # batch normalization's is "moving_variance"
            w.assign(rng.uniform(0.5, 1.5, tuple(w.shape)).astype("float32"))


oracle.random_weights = random_weights

if __name__ == "__main__":
    oracle.main()
