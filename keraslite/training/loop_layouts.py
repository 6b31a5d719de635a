"""Where the compiled loops meet the distribution in force: the layout of each variable they
read or carry, found by its model-state path (``layers/dense_1/kernel``, ...)."""
from __future__ import annotations

from keraslite.distribution.distributions import Distribution, distribution
from keraslite.distribution.loop_layout import LoopLayout
from keraslite.training import model_state


def loop_layout(dist: Distribution, model, read_only, carried) -> LoopLayout:
    # A variable is known by its model-state path (``layers/dense_1/kernel``) and by its own
    # path (``<layer name>/kernel``, Keras's ``variable.path``); layout keys may match either.
    state = model_state.state_variables(model)
    paths = {id(v): (p, v.path) for p, v in state.items()}
    dist.check_paths(list(paths.values()))

    def described(variables):
        return [(paths.get(id(v), (v.path,)), tuple(v.shape)) for v in variables]

    return LoopLayout(dist, described(read_only), described(carried))


def check_batch_size(batch_size: int | None, what: str = "batch_size") -> None:
    """Under a distribution, a batch size given by the user must split over the batch axis."""
    dist = distribution()
    if dist is not None and batch_size is not None:
        dist.check_batch_size(batch_size, what)
