"""Small built-in data sets that need no network access.

``keraslite.datasets.digits()`` loads scikit-learn's bundled 8x8 handwritten digits; it is also
reachable as ``keraslite.datasets.digits.load_data()``, the spelling of
``keras.datasets.mnist.load_data()``.
"""
from keraslite.datasets.digits import load_data as digits

# Keras data sets are modules with a load_data(); allow that spelling too.
digits.load_data = digits

__all__ = ["digits"]
