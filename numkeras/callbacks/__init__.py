"""Callbacks (Keras names): History, EarlyStopping, ModelCheckpoint, ..."""

from .callback import Callback as Callback
from .callback import CallbackList as CallbackList
from .history import History as History
from .progbar_logger import ProgbarLogger as ProgbarLogger
