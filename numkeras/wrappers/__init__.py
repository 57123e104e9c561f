"""scikit-learn wrappers (`keras.wrappers`): use a numkeras model as a
scikit-learn estimator in `Pipeline`, `cross_val_score`, `GridSearchCV`, ...

Needs scikit-learn (`pip install scikit-learn`); importing this package
without it raises an ImportError saying so.
"""

from .sklearn_wrapper import SKLearnClassifier as SKLearnClassifier
from .sklearn_wrapper import SKLearnRegressor as SKLearnRegressor
from .sklearn_wrapper import SKLearnTransformer as SKLearnTransformer
