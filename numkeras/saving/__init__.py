"""Saving and loading: Keras 3 `.keras` / `.weights.h5` files, tf.keras 2 `.h5`.

See saving_api.py for the table of formats, errors.py for the documented error
types. h5py is imported only when a file is actually read or written.
"""

from .errors import FileFormatError as FileFormatError
from .errors import UnsafeDeserializationError as UnsafeDeserializationError
from .saving_api import load_model as load_model
from .saving_api import load_weights as load_weights
from .saving_api import model_from_config as model_from_config
from .saving_api import model_from_json as model_from_json
from .saving_api import save_model as save_model
from .saving_api import save_weights as save_weights
