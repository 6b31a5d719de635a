"""Graph: the blocks between an AutoModel's inputs and heads, built into a model per trial."""
from __future__ import annotations

from typing import Any

from keraslite import models, optimizers
from keraslite.automl.heads import Head
from keraslite.automl.host_model import with_host_preprocessing
from keraslite.automl.multi_io import HeadGroup, InputGroup
from keraslite.automl.nodes import Block, InputNode, Node, connect, snake_name
from keraslite.tuner.hypermodel import HyperModel

# The first is the hand-picked default; the large ones suit small models (a linear model on
# a table converges in a few hundred steps at 3e-2).
LEARNING_RATES = [1e-3, 1e-4, 3e-3, 1e-2, 3e-2]


class Graph(HyperModel):
    """Turns the recorded node graph into a compiled keraslite model for each trial."""

    def __init__(self, inputs: list, outputs: list) -> None:
        super().__init__(name="auto_model")
        self.inputs, self.outputs = list(inputs), list(outputs)
        for node in self.inputs:
            if not isinstance(node, InputNode):
                raise TypeError("inputs must be input nodes (ImageInput, StructuredDataInput). "
                                f"Received: {type(node).__name__}")
        for node in self.outputs:
            if not isinstance(node, Node) or not isinstance(node.block, Head):
                raise TypeError("outputs must be the nodes of heads (ClassificationHead()(x), "
                                f"RegressionHead()(x)). Received: {type(node).__name__}")
        if not self.inputs or not self.outputs:
            raise ValueError("AutoModel needs at least one input and one head. Received "
                             f"{len(self.inputs)} inputs and {len(self.outputs)} outputs.")
        self.blocks = self._ordered_blocks()
        counts: dict = {}
        for item in self.inputs + self.blocks:  # names in graph order: stable across reruns
            if item.name is None:
                stem = snake_name(item)
                counts[stem] = counts.get(stem, 0) + 1
                item.name = f"{stem}_{counts[stem]}"
        heads = [node.block for node in self.outputs]
        # Several inputs or heads act as one for AutoModel.fit (see multi_io.py).
        self.input: Any = self.inputs[0] if len(self.inputs) == 1 else InputGroup(self.inputs)
        self.head: Any = heads[0] if len(heads) == 1 else HeadGroup(heads)

    def collect_targets(self, y: Any) -> Any:
        """``y`` itself for one head; a dict by head name for several."""
        return self.head.collect(y) if isinstance(self.head, HeadGroup) else y

    def _ordered_blocks(self) -> list:
        order: list = []
        seen: set = set()

        def visit(node: Node) -> None:
            if isinstance(node, InputNode):
                if node not in self.inputs:
                    raise ValueError("The graph uses an input node that is not among the "
                                     "AutoModel's inputs.")
                return
            if node.block is None:
                raise ValueError("A node of the graph was made by no block.")
            for parent in node.inputs:
                visit(parent)
            if id(node.block) not in seen:
                seen.add(id(node.block))
                order.append(node.block)

        for node in self.outputs:
            visit(node)
        return order

    def build(self, hp: Any) -> Any:
        values: dict = {}
        model_inputs = []
        for node in self.inputs:
            if node.shape is None:
                raise ValueError(f"{node.name} has not seen data yet: call fit first.")
            # Preprocessing lives in the model, so the exported model takes raw data.
            tensor, values[id(node)] = node.build_inputs(self)
            model_inputs.append(tensor)

        def value(node: Node) -> Any:
            if id(node) not in values:
                block: Block = node.block
                parents = connect(block, node.inputs, [value(p) for p in node.inputs])
                with hp.name_scope(block.name):
                    values[id(node)] = block.build(hp, parents)
            return values[id(node)]

        if isinstance(self.head, HeadGroup):
            output = {node.block.name: value(node) for node in self.outputs}
        else:
            output = value(self.outputs[0])
        if isinstance(self.input, InputGroup):
            model = models.Model(self.input.build_inputs(model_inputs), output)
        else:
            model = models.Model(model_inputs[0], output)
        learning_rate = hp.Choice("learning_rate", LEARNING_RATES, default=LEARNING_RATES[0])
        loss, metrics = self.head.compile_args()
        model.compile(optimizer=optimizers.Adam(learning_rate), loss=loss, metrics=metrics)
        return with_host_preprocessing(model, self.inputs)
