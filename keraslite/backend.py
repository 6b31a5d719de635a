"""The small public backend API: which backend runs, global settings, and gradients."""
from __future__ import annotations

from keraslite import config
from keraslite.backends import core


def backend() -> str:
    """Name of the active backend, ``"jax"`` or ``"tensorflow"`` (from ``KERASLITE_BACKEND``)."""
    return config.backend()


floatx = config.floatx
set_floatx = config.set_floatx
epsilon = config.epsilon
set_epsilon = config.set_epsilon
image_data_format = config.image_data_format
set_image_data_format = config.set_image_data_format
standardize_dtype = core.standardize_dtype
convert_to_tensor = core.convert_to_tensor
convert_to_numpy = core.convert_to_numpy
is_tensor = core.is_tensor


def value_and_grad(fn, has_aux=False):
    """Backend-neutral ``value_and_grad``: ``fn(params, *args)`` -> (value, grads w.r.t. params)."""
    return core.value_and_grad(fn, has_aux=has_aux)


def clear_session() -> None:
    """Resets default layer names (``dense``, ``dense_1``, ...), like Keras."""
    from keraslite.utils import naming

    naming.reset()


def compute_gradients(loss_fn, variables, has_aux=False):
    """Gradients of ``loss_fn()`` with respect to ``variables`` (a list of Variables), on any backend.

    ``loss_fn`` takes no arguments and reads the variables as usual (``layer(x)``,
    ``variable.value``). Returns ``(loss, grads)``, or ``((loss, aux), grads)`` with ``has_aux``
    when ``loss_fn`` returns ``(loss, aux)``. Assignments made inside ``loss_fn`` to other
    variables (e.g. BatchNormalization's moving statistics) are applied afterwards. Works
    eagerly and inside a compiled step, so a custom ``Model.train_step`` written with it runs on
    JAX and TensorFlow alike::

        def train_step(self, data):
            x, y = data
            def loss_fn():
                return self.compute_loss(y=y, y_pred=self(x, training=True))
            loss, grads = keraslite.backend.compute_gradients(loss_fn, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return {"loss": loss}
    """
    from keraslite.variables import StatelessScope

    variables = list(variables)
    differentiated = {id(v) for v in variables}
    side_effects = {}

    def pure(values):
        with StatelessScope(list(zip(variables, values))) as scope:
            out = loss_fn()
        updates = [(v, value) for v, value in scope.updates() if id(v) not in differentiated]
        side_effects["vars"] = [v for v, _ in updates]
        loss, aux = out if has_aux else (out, None)
        return loss, (aux, [value for _, value in updates])

    (loss, (aux, update_values)), grads = core.value_and_grad(pure, has_aux=True)(
        [v.value for v in variables])
    for var, value in zip(side_effects.get("vars", []), update_values):
        var.assign(core.stop_gradient(value))
    return ((loss, aux), list(grads)) if has_aux else (loss, list(grads))
