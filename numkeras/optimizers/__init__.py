"""Optimizers (`keras.optimizers`): Keras 3's update rules on NumPy arrays.

`get("adam")` (case-insensitive class name), `serialize`, `deserialize`.
The training step calls `optimizer.build(variables)` once and then
`optimizer.apply_flat(flat_grad, flat_variable)` (or the per-tensor
`optimizer.apply(grads, variables)`) every batch.
"""

from ..saving import serialization_lib
from . import schedules as schedules
from .adadelta import Adadelta as Adadelta
from .adagrad import Adagrad as Adagrad
from .adam import Adam as Adam
from .adamax import Adamax as Adamax
from .adamw import AdamW as AdamW
from .ftrl import Ftrl as Ftrl
from .lion import Lion as Lion
from .nadam import Nadam as Nadam
from .optimizer import Optimizer as Optimizer
from .rmsprop import RMSprop as RMSprop
from .sgd import SGD as SGD

ALL_OBJECTS = {
    cls.__name__: cls
    for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam, Lion, Ftrl)
}
_BY_LOWER_NAME = {name.lower(): name for name in ALL_OBJECTS}


def serialize(optimizer):
    """Keras's dict: {"module": "keras.optimizers", "class_name", "config", ...}."""
    return serialization_lib.serialize(optimizer, "keras.optimizers")


def deserialize(config, custom_objects=None):
    """Build an optimizer from its Keras dict (class names case-insensitive)."""
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        canonical = _BY_LOWER_NAME.get(config["class_name"].lower())
        if canonical is not None:
            config = {**config, "class_name": canonical}
    return serialization_lib.deserialize(
        config, ALL_OBJECTS, "optimizer", custom_objects
    )


def get(identifier):
    """None, a name ("adam", "SGD", ...), a Keras dict, a class or an instance."""
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Expected an "
        f"optimizer name ({', '.join(sorted(_BY_LOWER_NAME))}), a config dict, "
        "an Optimizer class or an Optimizer instance."
    )
