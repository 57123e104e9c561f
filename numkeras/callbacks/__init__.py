"""Callbacks (Keras names): History, EarlyStopping, ModelCheckpoint, ..."""

from .backup_and_restore import BackupAndRestore as BackupAndRestore
from .callback import Callback as Callback
from .callback import CallbackList as CallbackList
from .csv_logger import CSVLogger as CSVLogger
from .early_stopping import EarlyStopping as EarlyStopping
from .gradient_monitor import GradientMonitor as GradientMonitor
from .gradient_monitor import TrainingDiagnosticWarning as TrainingDiagnosticWarning
from .history import History as History
from .lambda_callback import LambdaCallback as LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler as LearningRateScheduler
from .model_checkpoint import ModelCheckpoint as ModelCheckpoint
from .progbar_logger import ProgbarLogger as ProgbarLogger
from .reduce_lr_on_plateau import ReduceLROnPlateau as ReduceLROnPlateau
from .terminate_on_nan import TerminateOnNaN as TerminateOnNaN
