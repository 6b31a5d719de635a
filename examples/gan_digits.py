"""A GAN on scikit-learn's 8x8 digits with a custom ``train_step`` and two optimizers.

The same ``train_step`` runs compiled on JAX and TensorFlow: gradients come from
``keras.backend.compute_gradients`` and updates from ``optimizer.apply`` (keraslite's
backend-neutral pair), instead of ``jax.grad`` or ``tf.GradientTape``.

    python examples/gan_digits.py            # full run
    python examples/gan_digits.py --quick    # a few epochs, a smoke test
"""
import argparse
import sys

import numpy as np

import keraslite as keras
from keraslite import layers, ops

LATENT = 16


class GAN(keras.Model):
    def __init__(self, discriminator, generator, **kwargs):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def call(self, z):
        return self.generator(z)

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        batch = ops.shape(real)[0]
        z = keras.random.normal((batch, LATENT), seed=self.seed_generator)
        fake = self.generator(z)
        images = ops.concatenate([fake, real], axis=0)
        # Label fakes 1 and real images 0, with a little label noise.
        labels = ops.concatenate([ops.ones((batch, 1)), ops.zeros((batch, 1))], axis=0)
        labels = labels + 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)

        def d_loss_fn():
            return self.loss_fn(labels, self.discriminator(images, training=True))

        d_loss, grads = keras.backend.compute_gradients(
            d_loss_fn, self.discriminator.trainable_variables)
        self.d_optimizer.apply(grads, self.discriminator.trainable_variables)

        z = keras.random.normal((batch, LATENT), seed=self.seed_generator)
        pretend_real = ops.zeros((batch, 1))

        def g_loss_fn():
            return self.loss_fn(pretend_real, self.discriminator(self.generator(z, training=True)))

        g_loss, grads = keras.backend.compute_gradients(g_loss_fn, self.generator.trainable_variables)
        self.g_optimizer.apply(grads, self.generator.trainable_variables)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 3 epochs")
    args = parser.parse_args(argv)
    epochs = 3 if args.quick else 60

    keras.utils.set_random_seed(0)
    (x_train, _), _ = keras.datasets.digits()
    real = x_train.reshape(len(x_train), 64).astype("float32")

    discriminator = keras.Sequential([
        keras.Input((64,)), layers.Dense(64), layers.LeakyReLU(0.2), layers.Dense(1)],
        name="discriminator")
    generator = keras.Sequential([
        keras.Input((LATENT,)), layers.Dense(64), layers.LeakyReLU(0.2),
        layers.Dense(64, activation="sigmoid")], name="generator")
    gan = GAN(discriminator, generator)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    history = gan.fit(real, batch_size=64, epochs=epochs, verbose=2)

    samples = gan.predict(np.random.default_rng(0).normal(size=(256, LATENT)).astype("float32"),
                          verbose=0)
    # A crude quality signal: generated images should look like the average digit.
    gap = float(np.abs(samples.mean(0) - real.mean(0)).mean())
    print(f"final d_loss: {history.history['d_loss'][-1]:.4f}")
    print(f"final g_loss: {history.history['g_loss'][-1]:.4f}")
    print(f"mean image gap: {gap:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
