"""keraslite.automl: AutoKeras-style task models that search their own network with
keraslite.tuner and export a plain keraslite model. See docs/automl.md."""
from keraslite.automl.auto_model import AutoModel
from keraslite.automl.blocks import ConvBlock, DenseBlock
from keraslite.automl.heads import ClassificationHead, RegressionHead
from keraslite.automl.nodes import Block, ImageInput, StructuredDataInput
from keraslite.automl.tasks import (ImageClassifier, ImageRegressor, StructuredDataClassifier,
                                    StructuredDataRegressor)

__all__ = ["AutoModel", "Block", "ClassificationHead", "ConvBlock", "DenseBlock",
           "ImageClassifier", "ImageInput", "ImageRegressor", "RegressionHead",
           "StructuredDataClassifier", "StructuredDataInput", "StructuredDataRegressor"]
