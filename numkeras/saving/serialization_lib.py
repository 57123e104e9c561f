"""Keras's object schema, resolved through allow-lists only.

Keras serializes every object (initializer, regularizer, optimizer, layer, ...)
as::

    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {...}, "registered_name": None}

`deserialize` turns such a dict back into an object. It looks `class_name` up
in the dict of allowed classes that the caller passes (the numkeras objects of
that kind) and in the user's `custom_objects`; nothing else. It never imports
the module named in the file and never evaluates code, which closes the
arbitrary-code-execution holes Keras had in this path (CVE-2024-3660,
CVE-2025-1550, ...).
"""

import re


def snake_case(name):
    """GlorotUniform -> glorot_uniform, BatchNormalization -> batch_normalization."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def serialize(obj, module):
    """The Keras dict for `obj`, which must have `get_config()`."""
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def deserialize(config, allowed, kind, custom_objects=None):
    """Build an object from a Keras dict, resolving its class through allow-lists.

    Args:
        config: a dict with "class_name" and "config" (Keras's schema).
        allowed: dict of class name -> class (the numkeras objects of this kind).
        kind: what is being built, for error messages ("initializer", ...).
        custom_objects: the caller's own dict of name -> class or function.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not interpret {kind} identifier: {config!r}. Expected a dict "
            'with "class_name" and "config" keys.'
        )
    class_name = config["class_name"]
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(
            f"Could not interpret {kind} config for {class_name!r}: "
            f"expected a dict, received {type(inner).__name__}."
        )
    cls = resolve_name(class_name, allowed, kind, custom_objects)
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)


def deserialize_named(config, strings, allowed, kind, custom_objects=None):
    """A string looked up in `strings` (a class found there is instantiated
    with its defaults) or a Keras dict resolved through `allowed`."""
    if isinstance(config, str):
        obj = resolve_name(config, strings, kind, custom_objects)
        return obj() if isinstance(obj, type) else obj
    return deserialize(config, allowed, kind, custom_objects)


def get_named(identifier, strings, allowed, kind, what):
    """Keras's `get` for a module of small config objects: None -> None, a
    string or Keras dict -> deserialize_named, a class -> an instance, a
    callable -> itself. `what` names the base class in the error."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize_named(identifier, strings, allowed, kind)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret {kind} identifier: {identifier!r}. Expected None, a "
        f"string, a config dict, a {what} class or instance, or a callable."
    )


def resolve_name(name, allowed, kind, custom_objects=None):
    """Look a class or function name up in custom_objects, then in `allowed`."""
    if not isinstance(name, str):
        raise ValueError(f"Could not interpret {kind} identifier: {name!r}.")
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in allowed:
        return allowed[name]
    valid = ", ".join(sorted(allowed))
    raise ValueError(
        f"Could not interpret {kind} identifier: {name!r}. It is not a numkeras "
        f"{kind} and not in custom_objects (numkeras never imports classes named "
        f"in a file). Valid names: {valid}."
    )
