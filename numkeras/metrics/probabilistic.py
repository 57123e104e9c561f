"""Crossentropy, KL divergence, Poisson and hinge metrics (loss formulas,
averaged over samples; all "down")."""

from numkeras.metrics import functions
from numkeras.metrics.base import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """mean over the last axis of -(y log p + (1 - y) log(1 - p)), p clipped."""

    _direction = "down"

    def __init__(
        self,
        name="binary_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
    ):
        super().__init__(
            functions.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class CategoricalCrossentropy(MeanMetricWrapper):
    """-Σ y log p over `axis` (p renormalized and clipped)."""

    _direction = "down"

    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ):
        super().__init__(
            functions.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Categorical crossentropy with integer labels."""

    _direction = "down"

    def __init__(
        self,
        name="sparse_categorical_crossentropy",
        dtype=None,
        from_logits=False,
        axis=-1,
    ):
        super().__init__(
            functions.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            axis=axis,
        )
        self.from_logits = from_logits
        self.axis = axis

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "axis": self.axis,
        }


class KLDivergence(MeanMetricWrapper):
    """Σ y log(y / p), y and p clipped to [eps, 1]."""

    _direction = "down"

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(functions.kl_divergence, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class Poisson(MeanMetricWrapper):
    """mean(p - y log(p + eps))."""

    _direction = "down"

    def __init__(self, name="poisson", dtype=None):
        super().__init__(functions.poisson, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class Hinge(MeanMetricWrapper):
    """mean(max(1 - y p, 0)), 0/1 labels mapped to -1/+1."""

    _direction = "down"

    def __init__(self, name="hinge", dtype=None):
        super().__init__(functions.hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SquaredHinge(MeanMetricWrapper):
    """mean(max(1 - y p, 0)²), 0/1 labels mapped to -1/+1."""

    _direction = "down"

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(functions.squared_hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class CategoricalHinge(MeanMetricWrapper):
    """max(max((1 - y) p) - Σ y p + 1, 0)."""

    _direction = "down"

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(functions.categorical_hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
