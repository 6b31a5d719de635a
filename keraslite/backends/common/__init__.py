"""Backend-free code both backends share: dtype rules (``dtypes``) and convolution/pooling
arithmetic (``conv_utils``). Pure Python + NumPy; it imports no backend."""
