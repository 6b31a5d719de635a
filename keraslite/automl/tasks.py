"""Task models: AutoModels with a fixed input, a default block and a head."""
from __future__ import annotations

from typing import Any, Optional

from keraslite.automl.auto_model import AutoModel
from keraslite.automl.blocks import ConvBlock, DenseBlock
from keraslite.automl.heads import ClassificationHead, RegressionHead
from keraslite.automl.nodes import ImageInput, StructuredDataInput


def _objective(objective: Optional[Any]) -> Any:
    return "val_loss" if objective is None else objective


class ImageClassifier(AutoModel):
    """Images (n, h, w[, c]) -> class labels; searches a ConvBlock and the head."""

    def __init__(self, num_classes: Optional[int] = None, multi_label: bool = False,
                 loss: Any = None, metrics: Any = None, project_name: str = "image_classifier",
                 objective: Any = None, **kwargs: Any) -> None:
        inputs = ImageInput()
        head = ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss,
                                  metrics=metrics)
        super().__init__(inputs, head(ConvBlock()(inputs)), project_name=project_name,
                         objective=_objective(objective), **kwargs)


class ImageRegressor(AutoModel):
    """Images -> numbers; searches a ConvBlock and a regression head."""

    def __init__(self, output_dim: Optional[int] = None, loss: Any = None, metrics: Any = None,
                 project_name: str = "image_regressor", objective: Any = None,
                 **kwargs: Any) -> None:
        inputs = ImageInput()
        head = RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics)
        super().__init__(inputs, head(ConvBlock()(inputs)), project_name=project_name,
                         objective=_objective(objective), **kwargs)


class StructuredDataClassifier(AutoModel):
    """A numerical table (n, features) -> class labels; searches a DenseBlock and the head."""

    def __init__(self, num_classes: Optional[int] = None, multi_label: bool = False,
                 loss: Any = None, metrics: Any = None,
                 project_name: str = "structured_data_classifier", objective: Any = None,
                 **kwargs: Any) -> None:
        inputs = StructuredDataInput()
        head = ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss,
                                  metrics=metrics)
        super().__init__(inputs, head(DenseBlock()(inputs)), project_name=project_name,
                         objective=_objective(objective), **kwargs)


class StructuredDataRegressor(AutoModel):
    """A numerical table (n, features) -> numbers; searches a DenseBlock and the head."""

    def __init__(self, output_dim: Optional[int] = None, loss: Any = None, metrics: Any = None,
                 project_name: str = "structured_data_regressor", objective: Any = None,
                 **kwargs: Any) -> None:
        inputs = StructuredDataInput()
        head = RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics)
        super().__init__(inputs, head(DenseBlock()(inputs)), project_name=project_name,
                         objective=_objective(objective), **kwargs)
