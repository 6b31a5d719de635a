"""The refit at the end of a search: the best configurations, each trained on all the data, and
on small data their average as one model.

On a small table the validation split that ranks the trials holds a few dozen rows: which of
the top configurations comes first is mostly chance, and so is the epoch count it reports
(sometimes 1). Refitting one configuration bets the result on that draw; averaging the
predicted probabilities (or values) of the best few, each refit for its own epoch count,
spreads the bet (see "Ensembles" in docs/automl.md for the measurements). The averaged model is
a plain functional model holding the members as nested models, so it saves, loads and exports
like any other; its host steps (a table's encoder) are the members' own, identical for all.
"""
from __future__ import annotations

from typing import Any, Callable

from keraslite import layers, models, optimizers
from keraslite.automl.host_model import HostPreprocessedModel


def refit_members(trials: list, build: Callable[[Any], Any], fit: Callable[[Any, int], Any],
                  reset: Callable[[int], None]) -> tuple:
    """Builds and fits the configuration of each trial, best first. ``reset(i)`` runs before
    member ``i`` is built (a fresh session, the seed), ``fit(model, epochs)`` trains it for
    its trial's best epoch count. Returns ``(models, the best member's History)``."""
    members, history = [], None
    for i, trial in enumerate(trials):
        reset(i)
        model = build(trial.hyperparameters.copy())
        result = fit(model, (trial.best_step or 0) + 1)
        history = result if history is None else history
        members.append(model)
    return members, history


def average_models(members: list, compile_args: tuple) -> Any:
    """One model whose output is the mean of the members' outputs (one output each); compiled
    with ``compile_args`` = (loss, metrics) so that ``evaluate`` and a further ``fit`` work."""
    if len(members) == 1:
        return members[0]
    networks = [m.network if isinstance(m, HostPreprocessedModel) else m
                for m in members]
    for index, network in enumerate(networks):
        # Each member was built in a fresh session, so all carry the same default name.
        network.name = f"member_{index}"
    inputs = networks[0].inputs
    feed = inputs[0] if len(inputs) == 1 else list(inputs)
    outputs = [network(feed) for network in networks]
    network = models.Model(inputs, layers.Average(name="average")(outputs),
                           name=f"ensemble_of_{len(members)}")
    loss, metrics = compile_args
    network.compile(optimizer=optimizers.Adam(), loss=loss, metrics=metrics)
    first = members[0]
    if isinstance(first, HostPreprocessedModel):
        return HostPreprocessedModel(network, first.preprocessors, first.input_names,
                                     name=f"{network.name}_with_host_steps")
    return network
