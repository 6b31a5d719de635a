"""SpectralNormalization: divides a layer's kernel by its largest singular value (estimated by
power iteration) while training, which bounds the layer's Lipschitz constant (GAN critics)."""
from __future__ import annotations

from typing import Any

from keraslite import initializers, ops
from keraslite.layers.core.wrapper import Wrapper
from keraslite.layers.layer import Layer


def _unit(x: Any) -> Any:
    """``x`` divided by its L2 norm over all elements (epsilon-guarded, as Keras's normalize)."""
    return x * ops.rsqrt(ops.maximum(ops.sum(ops.square(x)), 1e-12))


class SpectralNormalization(Wrapper):
    """Spectral normalization of the wrapped layer's ``kernel`` (or ``embeddings``).

    Each call with ``training=True`` runs ``power_iterations`` steps of power iteration from the
    persistent estimate ``vector_u`` (shape ``(1, units)``, not trainable), divides the kernel by
    the estimated largest singular value ``sigma``, stores the normalized kernel and the new
    ``vector_u``, and runs the layer with it; gradients flow through the division (the singular
    vectors are treated as constants). Calls with ``training=False`` run the layer with the
    kernel as stored. Weight names, order and behaviour follow Keras 3, so Keras files load.

    Example::

        critic_layer = SpectralNormalization(Dense(64))
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        if (not isinstance(power_iterations, int) or isinstance(power_iterations, bool)
                or power_iterations <= 0):
            raise ValueError("SpectralNormalization: argument `power_iterations` must be an int "
                             f"greater than zero. Received: power_iterations={power_iterations!r}")
        self.power_iterations = power_iterations

    def build(self, input_shape: Any = None) -> None:
        super().build(input_shape)
        for attr in ("kernel", "embeddings"):
            kernel = getattr(self.layer, attr, None)
            if kernel is not None:
                break
        else:
            raise ValueError(f"SpectralNormalization: the wrapped layer {type(self.layer).__name__}"
                             f" ('{self.layer.name}') has no `kernel` nor `embeddings` weight to "
                             "normalize. Wrap a Dense, convolution or Embedding layer.")
        self.kernel = kernel
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
            name="vector_u", dtype=kernel.dtype)
        self.built = True

    def _own_weights(self):
        # Keras tracks the wrapped kernel as the wrapper's own weight, before vector_u: the
        # order get_weights/set_weights and Keras's files use.
        return [self.kernel] + super()._own_weights()

    def normalized_weights(self) -> tuple[Any, Any]:
        """``(new vector_u, kernel / sigma)`` from ``power_iterations`` steps of power
        iteration on the kernel viewed as a matrix ``(fan_in, units)``."""
        matrix = ops.reshape(self.kernel.value, (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u.value
        for _ in range(self.power_iterations):
            vector_v = _unit(ops.matmul(vector_u, ops.transpose(matrix)))
            vector_u = _unit(ops.matmul(vector_v, matrix))
        vector_u = ops.stop_gradient(vector_u)
        vector_v = ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, matrix), ops.transpose(vector_u))
        kernel = ops.reshape(ops.divide(matrix, sigma), self.kernel_shape)
        return vector_u, kernel

    def call(self, inputs: Any, training: Any = False) -> Any:
        if training:
            vector_u, kernel = self.normalized_weights()
            # An all-zero kernel has no direction to normalize: leave it (and u) as they are.
            is_zero = ops.all(ops.equal(self.kernel.value, 0))
            self.vector_u.assign(ops.where(is_zero, self.vector_u.value, vector_u))
            self.kernel.assign(ops.where(is_zero, self.kernel.value, kernel))
        return ops.cast(self.layer(inputs), inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}
