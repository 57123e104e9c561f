"""Checks run on every config read from a file, before anything is built.

numkeras never executes code from a file: no pickle, no marshal, no eval, no
import of a module named in the file. Classes resolve only through numkeras's
allow-lists plus the caller's `custom_objects` (serialization_lib). This module
adds a scan of the whole config tree that refuses, with a clear message, the
shapes of the known attacks on Keras's loader before any object is created:

- Lambda layers and `__lambda__` entries (Keras stores the function as base64
  marshal bytecode);
- objects whose `module` / `registered_name` points outside Keras (`os`,
  `builtins`, `subprocess`, ...) unless the name is in `custom_objects`;
- configs that try to switch safe mode off (`"safe_mode": false`,
  `enable_unsafe_deserialization`).
"""

import json

from .errors import FileFormatError, UnsafeDeserializationError

_LAMBDA_CLASSES = {"Lambda", "TFOpLambda", "SlicingOpLambda", "__lambda__"}
_UNSAFE_WORDS = ("enable_unsafe_deserialization", "safe_mode", "__lambda__")
_KERAS_REGISTERED = {None, "function"}
_MAX_NODES = 1_000_000


def parse_json(data, what):
    """Strict UTF-8 JSON -> dict, or FileFormatError naming `what`."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise FileFormatError(f"{what} is not valid UTF-8 text: {e}") from None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise FileFormatError(f"{what} is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise FileFormatError(
            f"{what} must hold a JSON object, found {type(value).__name__}."
        )
    return value


def check_config(config, custom_objects=None, source="the file"):
    """Raise UnsafeDeserializationError if `config` asks for code execution."""
    custom = set(custom_objects or ())
    stack = [(config, "config")]
    seen = 0
    while stack:
        node, where = stack.pop()
        seen += 1
        if seen > _MAX_NODES:
            raise FileFormatError(f"The config in {source} is too large.")
        if isinstance(node, dict):
            _check_object(node, where, custom, source)
            stack.extend((v, f"{where}.{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node))


def _refuse(source, where, what):
    raise UnsafeDeserializationError(
        f"Refusing to load {source}: {what} (at {where}). numkeras never "
        "executes or imports code from a saved file (no pickle, marshal, eval "
        "or module imports), whatever safe_mode says; rebuild such layers in "
        "code and load only the weights, or pass your own classes in "
        "custom_objects."
    )


def _check_object(node, where, custom, source):
    for key, value in node.items():
        if key in _UNSAFE_WORDS and key != "safe_mode":
            _refuse(source, where, f"it contains a {key!r} entry")
        if key == "safe_mode" and value is not True:
            _refuse(source, where, f'it tries to set "safe_mode": {value!r}')
        if isinstance(value, str) and key in (
            "class_name",
            "module",
            "registered_name",
        ):
            if any(word in value for word in _UNSAFE_WORDS):
                _refuse(source, where, f"it names {value!r}")
    for key in ("class_name", "module", "registered_name"):
        if not isinstance(node.get(key), (str, type(None))):
            raise FileFormatError(
                f"Invalid config in {source} at {where}: {key} must be a string, "
                f"found {type(node.get(key)).__name__}."
            )
    class_name = node.get("class_name")
    if class_name in _LAMBDA_CLASSES and class_name not in custom:
        _refuse(
            source,
            where,
            f"it holds a {class_name} layer, whose Python "
            "function is stored as bytecode",
        )
    if node.get("function_type") == "lambda":
        _refuse(source, where, "it holds a serialized Python lambda")
    if class_name in custom:
        return
    module = node.get("module")
    if module is not None and "class_name" in node:
        if not isinstance(module, str) or not (
            module == "keras" or module.startswith("keras.")
        ):
            _refuse(
                source,
                where,
                f"{class_name!r} refers to module {module!r} outside Keras",
            )
    registered = node.get("registered_name")
    if registered not in _KERAS_REGISTERED and registered != class_name:
        keras_function = class_name == "function" and registered == node.get("config")
        if registered not in custom and not keras_function:
            _refuse(
                source,
                where,
                f"it asks for the registered object "
                f"{registered!r}, which is not a numkeras object and not in "
                "custom_objects",
            )
