"""The JAX backend: XLA on CPU, GPU and TPU."""
