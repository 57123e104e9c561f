"""Model configs and compile configs, in Keras's schema, read defensively.

`model_from_config` rebuilds a model from a (checked) config dict, in Keras 3's
schema or tf.keras 2's legacy one (no "module" keys, `batch_input_shape`,
Keras 2.0's list-of-layers config). `compile_config` / `compile_from_config`
write and restore `compile()`'s arguments as Keras does in `.keras` files.
"""

from .errors import FileFormatError, UnsafeDeserializationError
from .safety import check_config

SUPPORTED_MODELS = ("Sequential",)


def model_from_config(config, custom_objects=None, source="the config"):
    """A new (uncompiled) model from `{"class_name": "Sequential", "config": ...}`."""
    from ..models.sequential import Sequential

    check_config(config, custom_objects, source)
    class_name = config.get("class_name")
    inner = config.get("config")
    if custom_objects and class_name in custom_objects:
        cls = custom_objects[class_name]
    elif class_name in SUPPORTED_MODELS:
        cls = Sequential
    elif class_name in ("Functional", "Model"):
        raise FileFormatError(
            f"{source} holds a functional model ({class_name}); numkeras supports "
            "Sequential models only so far."
        )
    else:
        raise FileFormatError(
            f"{source} does not describe a model: expected class_name "
            f"'Sequential', found {class_name!r}."
        )
    if isinstance(inner, list):  # Keras 2.0-2.2: the config is the layer list
        inner = {"layers": inner}
    if not isinstance(inner, dict):
        raise FileFormatError(f"{source}: the model config must be a JSON object.")
    try:
        return cls.from_config(inner, custom_objects=custom_objects)
    except (FileFormatError, UnsafeDeserializationError):
        raise
    except Exception as e:  # noqa: BLE001 - any bad config value lands here
        raise FileFormatError(
            f"Could not rebuild the model from {source}: {type(e).__name__}: {e}"
        ) from e


def _serialize_item(obj, module):
    """A compile argument as Keras writes it: strings and None as is,
    objects as Keras dicts, functions as Keras function dicts."""
    from . import serialization_lib

    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [_serialize_item(o, module) for o in obj]
    if isinstance(obj, dict):
        return {k: _serialize_item(v, module) for k, v in obj.items()}
    if hasattr(obj, "get_config"):
        return serialization_lib.serialize(obj, module)
    name = getattr(obj, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize compile argument {obj!r}.")
    return {
        "module": module,
        "class_name": "function",
        "config": name,
        "registered_name": name,
    }


def compile_config(model):
    """The `compile_config` entry of a `.keras` config.json, or None."""
    from .. import optimizers

    config = (
        model.get_compile_config() if hasattr(model, "get_compile_config") else None
    )
    if not config:
        return None
    out = dict(config)
    out["optimizer"] = optimizers.serialize(model.optimizer)
    out["loss"] = _serialize_item(config.get("loss"), "keras.losses")
    out["metrics"] = _serialize_item(config.get("metrics"), "keras.metrics")
    out["weighted_metrics"] = _serialize_item(
        config.get("weighted_metrics"), "keras.metrics"
    )
    return out


def _deserialize_metrics(value, custom_objects):
    from .. import metrics

    if isinstance(value, dict) and "class_name" in value:
        return metrics.deserialize(value, custom_objects)
    if isinstance(value, list):
        return [_deserialize_metrics(v, custom_objects) for v in value]
    if isinstance(value, dict):
        return {k: _deserialize_metrics(v, custom_objects) for k, v in value.items()}
    return value


def compile_from_config(
    model, config, custom_objects=None, source="the file", legacy=False
):
    """`model.compile(...)` from a saved compile/training config, then build
    the optimizer so that saved optimizer state can be loaded into it."""
    from .. import losses, optimizers

    if not isinstance(config, dict):
        raise FileFormatError(f"{source}: compile_config must be a JSON object.")
    check_config(config, custom_objects, source)
    try:
        optimizer = config.get("optimizer_config" if legacy else "optimizer")
        if isinstance(optimizer, dict):
            optimizer = optimizers.deserialize(optimizer, custom_objects)
        elif optimizer is None:
            optimizer = "rmsprop"
        loss = config.get("loss")
        if isinstance(loss, dict) and "class_name" in loss:
            loss = losses.deserialize(loss, custom_objects)
        model.compile(
            optimizer=optimizer,
            loss=loss,
            loss_weights=config.get("loss_weights"),
            metrics=_deserialize_metrics(config.get("metrics"), custom_objects),
            weighted_metrics=_deserialize_metrics(
                config.get("weighted_metrics"), custom_objects
            ),
            run_eagerly=config.get("run_eagerly", False),
            steps_per_execution=config.get("steps_per_execution", 1),
            jit_compile=config.get("jit_compile", "auto"),
        )
    except (FileFormatError, UnsafeDeserializationError):
        raise
    except Exception as e:  # noqa: BLE001
        raise FileFormatError(
            f"Could not restore compile() from {source}: {type(e).__name__}: {e}"
        ) from e
    build_optimizer(model)


def build_optimizer(model):
    """Create the optimizer's slots for the model's trainable weights (Keras's
    compile_from_config does the same) so that saved state has a target."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(model, "built", False) and not optimizer.built:
        optimizer.build(model.trainable_weights)
