"""The documented error types of numkeras's loaders.

Every problem with the *content* of a file raises one of these (both are
`ValueError`s, so code written for Keras's `ValueError` keeps working):

- `FileFormatError`: the file is missing, truncated, not the format its name
  says, corrupt, too large (zip bombs, huge declared shapes), or its weights
  or config do not match the model (wrong shapes, dtypes, counts).
- `UnsafeDeserializationError`: the file asks for something numkeras never
  does while loading: deserialize a Python lambda or bytecode, import a module
  named in the file, or switch safe mode off.

A loader that raises leaves the target model exactly as it was: every value
is read and checked first, and only then assigned.
"""

import contextlib


class FileFormatError(ValueError):
    """A saved file is missing, malformed, hostile or does not fit the model."""


class UnsafeDeserializationError(ValueError):
    """A saved file asks numkeras to run or import code; numkeras never does."""


# Limits on what a loader reads (bytes). Module attributes so that a caller
# with unusually large models can raise them.
MAX_JSON_BYTES = 64 * 2**20
MAX_ZIP_MEMBERS = 10_000
MAX_WEIGHTS_BYTES_OVERHEAD = 64 * 2**20
MAX_COMPRESSION_RATIO = 200


@contextlib.contextmanager
def documented(source):
    """Re-raise anything a loader hits while building from a file's content as
    FileFormatError (the documented errors pass through unchanged)."""
    try:
        yield
    except (FileFormatError, UnsafeDeserializationError):
        raise
    except Exception as e:  # noqa: BLE001 - the file decides what fails here
        raise FileFormatError(
            f"Could not load {source}: {type(e).__name__}: {e}"
        ) from e
