"""What a Keras weight file supplies for each layer, and the check that it fits the model."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LayerPlan:
    """The file's arrays for one layer's weights.

    ``variables`` and ``entries`` are in the order the file stores them; ``problem`` says why
    they do not fit (set by ``check`` or by the matcher when the layer has no counterpart).
    """

    label: str  # the layer's place in the model, e.g. "encoder/dense_1"
    where: str  # the file location, e.g. "layers/dense_1/vars"
    variables: list
    entries: list = field(default_factory=list)  # (dataset path, h5py dataset)
    problem: str | None = None


def check(plan: LayerPlan, safe_file) -> None:
    """Sets ``plan.problem`` to the first difference in weight count or shape.

    Every dataset's header passes the file's safety checks first, even in a layer that does not
    fit: a hostile dataset refuses the whole file rather than being skipped."""
    shapes = [safe_file.weight_info(dataset, path)[0] for path, dataset in plan.entries]
    if plan.problem is not None:
        return
    if len(plan.variables) != len(shapes):
        model_side = ", ".join(f"{v.name} {v.shape}" for v in plan.variables)
        file_side = ", ".join(str(s) for s in shapes)
        if not plan.variables:
            plan.problem = (f"the file holds {len(shapes)} weight(s) [{file_side}] at {plan.where} "
                            "for a layer the model does not have")
        elif not shapes:
            plan.problem = (f"layer '{plan.label}' has {len(plan.variables)} weight(s) "
                            f"[{model_side}] but the file holds none for it (looked at "
                            f"{plan.where})")
        else:
            plan.problem = (f"layer '{plan.label}' has {len(plan.variables)} weight(s) "
                            f"[{model_side}] but the file holds {len(shapes)} [{file_side}] at "
                            f"{plan.where}")
        return
    for i, (variable, shape, (path, _)) in enumerate(zip(plan.variables, shapes, plan.entries)):
        if tuple(variable.shape) != shape:
            plan.problem = (f"layer '{plan.label}' weight {i} ('{variable.name}') has shape "
                            f"{tuple(variable.shape)} in the model but {shape} in the file "
                            f"(dataset '{path}')")
            return
