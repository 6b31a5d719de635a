"""``keraslite.applications.resnet50``: Keras's module name for ResNet50."""
from keraslite.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
