"""SKLearnClassifier / SKLearnRegressor / SKLearnTransformer (Keras 3's
`keras.wrappers`): a numkeras model as a scikit-learn estimator.

    def build(X, y, hidden=32):
        model = numkeras.Sequential([
            numkeras.Input((X.shape[1],)),
            numkeras.layers.Dense(hidden, activation="relu"),
            numkeras.layers.Dense(y.shape[1], activation="softmax"),
        ])
        model.compile("adam", "categorical_crossentropy")
        return model

    clf = SKLearnClassifier(build, model_kwargs={"hidden": 64},
                            fit_kwargs={"epochs": 20, "verbose": 0})
    GridSearchCV(clf, {"model_kwargs": [{"hidden": 16}, {"hidden": 64}]})

Arguments (Keras 3's):
    model: a function `model(X=X, y=y, **model_kwargs)` returning a compiled
        model (X and y as the model will see them: the classifier passes y
        one-hot encoded, shape (n_samples, n_classes); the regressor passes
        y of shape (n_samples, n_outputs)); or a compiled model instance,
        which is cloned (same architecture and compile settings, fresh
        weights) for every fit.
    warm_start: if True, a second `fit` continues training the fitted model
        instead of building a new one.
    model_kwargs: keyword arguments for the model-building function.
    fit_kwargs: keyword arguments for `model.fit` (epochs, batch_size,
        verbose, callbacks, ...); keyword arguments given to the wrapper's
        `fit` take precedence.

Fitted attributes: `model_` (the trained model), `history_` (the History's
dict of per-epoch logs), `n_features_in_`; classifiers also `classes_`.
"""

import copy

import numpy as np

try:
    from sklearn.base import (
        BaseEstimator,
        ClassifierMixin,
        RegressorMixin,
        TransformerMixin,
    )
    from sklearn.utils.multiclass import type_of_target
    from sklearn.utils.validation import check_is_fitted
except ImportError as error:  # pragma: no cover - exercised without sklearn
    raise ImportError(
        "numkeras.wrappers needs scikit-learn: pip install scikit-learn"
    ) from error

from .. import backend
from ..models.model import Model

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _sk_validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    _sk_validate_data = None


def _validate_data(estimator, X, y=None, reset=True, **y_checks):
    """scikit-learn's input validation (sets / checks n_features_in_)."""
    args = (X,) if y is None else (X, y)
    kwargs = y_checks if y is not None else {}
    if _sk_validate_data is not None:
        return _sk_validate_data(estimator, *args, reset=reset, **kwargs)
    return estimator._validate_data(*args, reset=reset, **kwargs)


def clone_compiled(model):
    """A new model with `model`'s architecture and compile settings and
    freshly initialized weights (Keras's clone_model + compile)."""
    clone = type(model).from_config(model.get_config())
    compile_config = model.get_compile_config()
    if compile_config is not None:
        compile_config = copy.deepcopy(compile_config)
        optimizer = model.optimizer
        compile_config["optimizer"] = type(optimizer).from_config(
            optimizer.get_config()
        )
        clone.compile(**compile_config)
    return clone


class SKLBase(BaseEstimator):
    """What the three wrappers share: building the model, fit, predict."""

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True  # random initial weights
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "poor_score": True}

    def _build_model(self, X, y):
        if isinstance(self.model, Model):
            model = clone_compiled(self.model)
        elif callable(self.model):
            model = self.model(X=X, y=y, **(self.model_kwargs or {}))
        else:
            raise TypeError(
                "Invalid value for argument model: expected a numkeras Model or "
                "a function model(X=X, y=y, **model_kwargs) returning one, "
                f"received {type(self.model).__name__}."
            )
        if not isinstance(model, Model):
            raise TypeError(
                f"The model-building function must return a numkeras Model, "
                f"received {type(model).__name__}."
            )
        if not model.compiled:
            raise ValueError(
                "The model must be compiled (model.compile(...)) before it is "
                "handed to a scikit-learn wrapper."
            )
        return model

    def fit(self, X, y, **kwargs):
        """Build (unless warm_start) and train the model on X, y.

        `kwargs` go to `model.fit`, on top of `fit_kwargs`.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        X, y = _validate_data(self, X, y, reset=True, **self._y_checks())
        y = self._encode_target(y, reset=True)
        if self.warm_start and hasattr(self, "model_"):
            model = self.model_
        else:
            model = self._build_model(X, y)
        fit_kwargs = {**(self.fit_kwargs or {}), **kwargs}
        history = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        self.history_ = dict(history.history)
        return self

    def _y_checks(self):
        return {"multi_output": True, "y_numeric": True}

    def _predict_raw(self, X):
        check_is_fitted(self, "model_")
        X = _validate_data(self, X, reset=False)
        return self.model_.predict(X, verbose=0)

    def predict(self, X):
        """Predictions for X (scikit-learn's shapes and labels)."""
        return self._decode_output(self._predict_raw(X))

    def _encode_target(self, y, reset):
        return y

    def _decode_output(self, raw):
        return raw


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A numkeras classifier as a scikit-learn classifier.

    Binary and multiclass targets (any labels, e.g. strings) are one-hot
    encoded for the model (y of shape (n_samples, n_classes)); the model
    should end in `Dense(n_classes, activation="softmax")` (a single sigmoid
    unit is accepted too). `predict` returns labels from `classes_`,
    `predict_proba` the probabilities, `score` the accuracy.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def _y_checks(self):
        return {"multi_output": False, "y_numeric": False}

    def _encode_target(self, y, reset):
        kind = type_of_target(y, raise_unknown=True)  # "Unknown label type"
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"SKLearnClassifier supports binary and multiclass targets; "
                f"received a {kind!r} target."
            )
        if reset:
            self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError(
                    "Classifier can't train when only one class is present: "
                    f"y holds only {self.classes_[0]!r}."
                )
        index = np.searchsorted(self.classes_, y)
        one_hot = np.zeros((len(y), len(self.classes_)), dtype="float32")
        one_hot[np.arange(len(y)), index] = 1.0
        return one_hot

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        raw = self._predict_raw(X)
        if raw.ndim == 1 or raw.shape[1] == 1:  # a single sigmoid unit
            p = raw.reshape(-1)
            return np.stack([1.0 - p, p], axis=1)
        return raw

    def _decode_output(self, raw):
        if raw.ndim == 1 or raw.shape[1] == 1:
            return self.classes_[(raw.reshape(-1) > 0.5).astype(int)]
        return self.classes_[np.argmax(raw, axis=1)]


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A numkeras regression model as a scikit-learn regressor.

    The model sees y as (n_samples, n_outputs) (a 1-D y becomes one column)
    and `predict` returns float64 predictions (scikit-learn's convention),
    1-D when y was 1-D. `score` is R^2.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True  # y of shape (n, n_outputs)
        return tags

    def _encode_target(self, y, reset):
        y = np.asarray(y)
        if reset:
            self._y_was_1d = y.ndim == 1
        return y.reshape(len(y), -1)

    def _decode_output(self, raw):
        raw = raw.astype(np.float64)  # scikit-learn regressors return float64
        if getattr(self, "_y_was_1d", False):
            return raw.reshape(len(raw))
        return raw


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A numkeras model as a scikit-learn transformer: `transform(X)` is
    `model.predict(X)`, e.g. a learned embedding used by a later pipeline
    step. Without y, the model is trained to reproduce X (an autoencoder).
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = [backend.floatx()]
        return tags

    def fit(self, X, y=None, **kwargs):
        if y is None:
            X = _validate_data(self, X, reset=True)
            return super().fit(X, X, **kwargs)
        return super().fit(X, y, **kwargs)

    def transform(self, X):
        """The model's outputs for X, shape (n_samples, n_outputs)."""
        return self._predict_raw(X)

    def _encode_target(self, y, reset):
        y = np.asarray(y)
        return y.reshape(len(y), -1)
