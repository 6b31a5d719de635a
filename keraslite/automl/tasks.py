"""Task models: AutoModels with a fixed input, a default block, a head, and hand-picked first
configurations (tried right after every block's defaults, before the search strategy)."""
from __future__ import annotations

from typing import Any, Optional

from keraslite.automl.auto_model import AutoModel
from keraslite.automl.heads import ClassificationHead, RegressionHead
from keraslite.automl.image_blocks import ImageBlock
from keraslite.automl.nodes import ImageInput
from keraslite.automl.structured_blocks import StructuredDataBlock
from keraslite.automl.structured_data import StructuredDataInput


def _objective(objective: Optional[Any]) -> Any:
    return "val_loss" if objective is None else objective


def _image_initial_hps(block: str, head: str) -> list:
    """Our picks for images, after the defaults (a 2x2 ConvBlock of 32 filters): first a small
    net known to do well on small images (two stacks of one convolution, 32 then 64 filters,
    no augmentation, head dropout 0.25: about 0.98 on 8x8 digits in some 20 epochs, like
    examples/digits_cnn.py), then wider and regularized, the same with light augmentation, and
    three deeper stacks. The application blocks (ResNet, Xception) are left to the search:
    compiling and training ResNet50 from scratch takes minutes on a 2-core CPU even for tiny
    images."""
    conv = f"{block}/conv_block"
    small = {f"{block}/augment": False, f"{conv}/num_blocks": 2, f"{conv}/num_layers": 1,
             f"{conv}/filters_0": 32, f"{conv}/filters_1": 64, f"{conv}/kernel_size": 3,
             f"{conv}/dropout": 0.0, f"{head}/dropout": 0.25}
    wider = {f"{conv}/filters_0": 64, f"{conv}/filters_1": 128, f"{conv}/dropout": 0.25,
             f"{head}/dropout": 0.5}
    augmented = dict(wider, **{f"{block}/augment": True,
                               f"{block}/image_augmentation/rotation_factor": 0.05,
                               f"{block}/image_augmentation/zoom_factor": 0.05})
    deeper = {f"{conv}/num_blocks": 3, f"{conv}/filters_0": 32, f"{conv}/filters_1": 64,
              f"{conv}/filters_2": 128, f"{conv}/dropout": 0.25, f"{head}/dropout": 0.25}
    return [small, wider, augmented, deeper]


def _table_initial_hps(block: str, head: str) -> list:
    """Our picks for tables, after the defaults (two dense layers of 32, learning rate 1e-3).
    Tables are often small (hundreds of rows), where a net overfits sooner than it underfits:
    first one hidden layer of 64 with heavy dropout and a learning rate of 3e-3 (a few hundred
    rows give few steps per epoch), then two layers with dropout before the head too, then
    the wider and the deeper batch-normalized nets for larger tables. Before them all comes
    the classic baseline for small tables: no hidden layer, the head alone with an L2 penalty
    of 1e-3 (logistic regression; at a learning rate of 3e-2 it converges within some 10-30
    epochs of a few hundred rows)."""
    dense = f"{block}/dense_block"
    linear = {f"{dense}/num_layers": 0, f"{head}/l2": 1e-3, "learning_rate": 3e-2}
    small = {f"{dense}/num_layers": 1, f"{dense}/units_0": 64, f"{dense}/dropout": 0.5,
             "learning_rate": 3e-3}
    regularized = {f"{dense}/units_0": 64, f"{dense}/units_1": 32, f"{dense}/dropout": 0.25,
                   f"{head}/dropout": 0.25, "learning_rate": 3e-3}
    wide = {f"{dense}/units_0": 128, f"{dense}/units_1": 64, f"{dense}/dropout": 0.25}
    deep = {f"{dense}/num_layers": 3, f"{dense}/units_0": 256, f"{dense}/units_1": 128,
            f"{dense}/units_2": 64, f"{dense}/use_batchnorm": True, f"{head}/dropout": 0.25}
    return [linear, small, regularized, wide, deep]


class _Task(AutoModel):
    def __init__(self, inputs: Any, block: Any, head: Any, objective: Any, picks: Any,
                 kwargs: dict) -> None:
        user_picks = kwargs.pop("initial_hps", None)
        super().__init__(inputs, head(block(inputs)), objective=_objective(objective),
                         **kwargs)
        # Block names are given by the graph (image_block_1, ...): picks are named after it.
        self.initial_hps = (list(user_picks) if user_picks is not None
                            else picks(block.name, head.name))


class ImageClassifier(_Task):
    """Images (n, h, w[, c]) -> class labels; searches an ImageBlock and the head."""

    def __init__(self, num_classes: Optional[int] = None, multi_label: bool = False,
                 loss: Any = None, metrics: Any = None, project_name: str = "image_classifier",
                 objective: Any = None, **kwargs: Any) -> None:
        head = ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss,
                                  metrics=metrics)
        super().__init__(ImageInput(), ImageBlock(), head, objective, _image_initial_hps,
                         dict(kwargs, project_name=project_name))


class ImageRegressor(_Task):
    """Images -> numbers; searches an ImageBlock and a regression head."""

    def __init__(self, output_dim: Optional[int] = None, loss: Any = None, metrics: Any = None,
                 project_name: str = "image_regressor", objective: Any = None,
                 **kwargs: Any) -> None:
        head = RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics)
        super().__init__(ImageInput(), ImageBlock(), head, objective, _image_initial_hps,
                         dict(kwargs, project_name=project_name))


class StructuredDataClassifier(_Task):
    """A table (DataFrame, CSV path or array; numerical and categorical columns) -> class
    labels; searches a StructuredDataBlock and the head."""

    patience = 10  # an epoch of a table takes milliseconds; its validation loss is noisy
    small_data_ensemble = 3  # a small table's refit averages its 3 best configurations

    def __init__(self, column_names: Optional[list] = None,
                 column_types: Optional[dict] = None, num_classes: Optional[int] = None,
                 multi_label: bool = False, loss: Any = None, metrics: Any = None,
                 project_name: str = "structured_data_classifier", objective: Any = None,
                 **kwargs: Any) -> None:
        head = ClassificationHead(num_classes=num_classes, multi_label=multi_label, loss=loss,
                                  metrics=metrics)
        super().__init__(StructuredDataInput(column_names, column_types), StructuredDataBlock(),
                         head, objective, _table_initial_hps,
                         dict(kwargs, project_name=project_name))


class StructuredDataRegressor(_Task):
    """A table -> numbers; searches a StructuredDataBlock and a regression head."""

    patience = 10
    small_data_ensemble = 3

    def __init__(self, column_names: Optional[list] = None,
                 column_types: Optional[dict] = None, output_dim: Optional[int] = None,
                 loss: Any = None, metrics: Any = None,
                 project_name: str = "structured_data_regressor", objective: Any = None,
                 **kwargs: Any) -> None:
        head = RegressionHead(output_dim=output_dim, loss=loss, metrics=metrics)
        super().__init__(StructuredDataInput(column_names, column_types), StructuredDataBlock(),
                         head, objective, _table_initial_hps,
                         dict(kwargs, project_name=project_name))
