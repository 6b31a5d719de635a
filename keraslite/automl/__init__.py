"""keraslite.automl: AutoKeras-style task models that search their own network with
keraslite.tuner and export a plain keraslite model. See docs/automl.md."""
from keraslite.automl.auto_model import AutoModel
from keraslite.automl.blocks import ConvBlock, DenseBlock
from keraslite.automl.heads import ClassificationHead, RegressionHead
from keraslite.automl.nodes import Block, ImageInput
from keraslite.automl.image_blocks import (EfficientNetBlock, Flatten, ImageBlock, ResNetBlock,
                                           SpatialReduction, XceptionBlock)
from keraslite.automl.preprocessing_blocks import ImageAugmentation, Normalization
from keraslite.automl.structured_blocks import CategoricalToNumerical, StructuredDataBlock
from keraslite.automl.structured_data import StructuredDataInput, table_to_inputs
from keraslite.automl.host_model import HostPreprocessedModel
from keraslite.automl.sequence_blocks import Merge, RNNBlock, TemporalReduction
from keraslite.automl.text import Embedding, TextBlock, TextClassifier, TextInput, TextRegressor
from keraslite.automl.timeseries import TimeseriesForecaster, TimeseriesInput
from keraslite.automl.tasks import (ImageClassifier, ImageRegressor, StructuredDataClassifier,
                                    StructuredDataRegressor)

__all__ = ["AutoModel", "Block", "ClassificationHead", "ConvBlock", "DenseBlock",
           "ImageClassifier", "ImageInput", "ImageRegressor", "RegressionHead",
           "StructuredDataClassifier", "StructuredDataInput", "StructuredDataRegressor"]
__all__ += ["Embedding", "HostPreprocessedModel", "Merge", "RNNBlock", "TemporalReduction",
            "TextBlock", "TextClassifier", "TextInput", "TextRegressor",
            "TimeseriesForecaster", "TimeseriesInput"]
__all__ += ["CategoricalToNumerical", "EfficientNetBlock", "Flatten", "ImageAugmentation",
            "ImageBlock", "Normalization", "ResNetBlock", "SpatialReduction",
            "StructuredDataBlock", "XceptionBlock", "table_to_inputs"]
