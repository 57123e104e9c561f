"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall, AUC and the
"X at Y" metrics.

All of them accumulate, for each threshold t, the (weighted) counts

    TP(t) = Σ w [y_true and y_pred > t]     FP(t) = Σ w [not y_true and y_pred > t]
    FN(t) = Σ w [y_true] - TP(t)            TN(t) = Σ w [not y_true] - FP(t)

(y_true is cast to bool, the comparison is strict). When the thresholds are
evenly spaced over [0, 1] (AUC's default), Keras's bucket algorithm is used:
each prediction, clipped to [0, 1], falls in bucket ceil(p (T - 1)) - 1 and the
counts are reversed cumulative sums of the bucket totals, O(N + T). Other
thresholds compare every prediction with every threshold.
"""

import numpy as np

from numkeras import backend
from numkeras.metrics.base import Metric, divide_no_nan, shape_error, to_result
from numkeras.metrics.base import squeeze_or_expand_to_same_rank as _match_rank

NEG_INF = -1e10  # the threshold used with top_k: every kept prediction is positive


def _to_list(x):
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [x]


def _json_thresholds(thresholds):
    """The constructor's thresholds as JSON-friendly values for get_config."""
    if isinstance(thresholds, np.ndarray):
        return thresholds.tolist()
    if isinstance(thresholds, np.generic):
        return thresholds.item()
    return thresholds


def check_thresholds(thresholds, argument="thresholds"):
    """Raise ValueError unless every threshold is a number in [0, 1]."""
    bad = [t for t in _to_list(thresholds) if t is None or not 0 <= t <= 1]
    if bad:
        raise ValueError(
            f"Invalid value for argument {argument}: threshold values must be in "
            f"[0, 1], received {argument}={thresholds!r} (invalid: {bad})."
        )


def parse_thresholds(thresholds, default):
    """A list of float thresholds; `default` when thresholds is None."""
    if thresholds is None:
        return [default]
    check_thresholds(thresholds)
    return [float(t) for t in _to_list(thresholds)]


def is_evenly_distributed(thresholds):
    """True if the thresholds are [0, 1/(T-1), ..., 1] within epsilon (T >= 3)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _filter_top_k(x, k):
    """Keep the k largest values of the last axis; set the others to NEG_INF."""
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return np.where(keep, x, x.dtype.type(NEG_INF))


def _reverse_cumsum(x):
    return np.cumsum(x[::-1], axis=0)[::-1]


def confusion_counts(
    y_true,
    y_pred,
    thresholds,
    evenly=False,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    dtype="float32",
):
    """The batch's (TP, FP, TN, FN) counts stacked in one float64 array of shape
    (4, T), or (4, T, num_labels) with multi_label."""
    y_true_in, y_pred_in = y_true, y_pred
    y_pred = np.asarray(y_pred).astype(dtype, copy=False)
    y_true = np.asarray(y_true).astype(dtype, copy=False)
    y_pred, y_true = _match_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise shape_error(y_true_in, y_pred_in)
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight).astype(dtype)[..., None]
        _, weights = _match_rank(y_true, weights, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}."
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if weights is None:
        weights = np.ones(y_pred.shape)
    else:
        try:
            weights = np.broadcast_to(weights, y_pred.shape).astype(np.float64)
        except ValueError:
            raise ValueError(
                f"Incompatible shapes: sample_weight.shape={np.shape(sample_weight)}"
                f" cannot broadcast to y_pred.shape={np.shape(y_pred_in)}."
            ) from None
    if label_weights is not None and not multi_label:
        weights = weights * np.broadcast_to(label_weights, y_pred.shape)
    is_true = y_true != 0
    if not multi_label:
        y_pred, is_true, weights = y_pred.ravel(), is_true.ravel(), weights.ravel()
    true_w = np.where(is_true, weights, 0.0)
    false_w = np.where(is_true, 0.0, weights)
    thresholds = np.asarray(thresholds)
    if evenly:
        tp, fp = _bucket_counts(y_pred, true_w, false_w, thresholds, multi_label)
    else:
        thresholds = thresholds.astype(dtype)
        if multi_label:
            above = (y_pred[None, :, :] > thresholds[:, None, None]).astype(np.float64)
            tp = np.einsum("tnl,nl->tl", above, true_w)
            fp = np.einsum("tnl,nl->tl", above, false_w)
        else:
            above = (y_pred[None, :] > thresholds[:, None]).astype(np.float64)
            tp, fp = above @ true_w, above @ false_w
    fn = true_w.sum(axis=0) - tp
    tn = false_w.sum(axis=0) - fp
    return np.stack([tp, fp, tn, fn])


def _bucket_counts(y_pred, true_w, false_w, thresholds, multi_label):
    """TP and FP per evenly spaced threshold via bucket totals (Keras's
    optimized path). A prediction p lands in bucket ceil(p (T-1)) - 1, i.e. it
    is above thresholds 0..bucket; with epsilon end thresholds (AUC) bucket -1
    becomes 0, otherwise it is dropped (p = 0 is above no threshold)."""
    num = len(thresholds)
    p = np.clip(y_pred, 0, 1)
    bucket = (np.ceil(p * p.dtype.type(num - 1)) - 1).astype(np.intp)
    if thresholds[0] < 0 or thresholds[-1] > 1:
        bucket = np.maximum(bucket, 0)
    valid = bucket >= 0
    if multi_label:
        num_labels = y_pred.shape[-1]
        bucket = bucket + num * np.arange(num_labels)[None, :]
        size = num * num_labels
    else:
        size = num
    tp_b = np.bincount(bucket[valid], weights=true_w[valid], minlength=size)
    fp_b = np.bincount(bucket[valid], weights=false_w[valid], minlength=size)
    if multi_label:
        tp_b = tp_b.reshape(num_labels, num).T
        fp_b = fp_b.reshape(num_labels, num).T
    return _reverse_cumsum(tp_b), _reverse_cumsum(fp_b)


class _ConfusionMetric(Metric):
    """Base of the metrics that keep TP/FP/TN/FN counts per threshold."""

    _direction = "up"

    def _init_counts(self, thresholds, evenly, shape):
        self._thresholds_array = np.asarray(thresholds, dtype=np.float64)
        self._evenly = evenly
        self._counts = np.zeros((4, *shape))

    @property
    def true_positives(self):
        return self._counts[0]

    @property
    def false_positives(self):
        return self._counts[1]

    @property
    def true_negatives(self):
        return self._counts[2]

    @property
    def false_negatives(self):
        return self._counts[3]

    def _accumulate(self, y_true, y_pred, sample_weight, **kwargs):
        self._counts += confusion_counts(
            y_true,
            y_pred,
            self._thresholds_array,
            evenly=self._evenly,
            sample_weight=sample_weight,
            dtype=self.dtype,
            **kwargs,
        )

    def reset_state(self):
        if self._counts is not None:
            self._counts[:] = 0.0


class _ConditionCount(_ConfusionMetric):
    """The (weighted) number of one confusion-matrix condition per threshold."""

    _direction = None
    _index = 0

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, default=0.5)
        evenly = is_evenly_distributed(self.thresholds)
        self._init_counts(self.thresholds, evenly, (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(y_true, y_pred, sample_weight)

    def result(self):
        counts = self._counts[self._index]
        return to_result(counts[0] if len(self.thresholds) == 1 else counts, self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "thresholds": _json_thresholds(self.init_thresholds),
        }


class TruePositives(_ConditionCount):
    """Σ w [y_true and y_pred > threshold]."""

    _index = 0


class FalsePositives(_ConditionCount):
    """Σ w [not y_true and y_pred > threshold]."""

    _index = 1


class TrueNegatives(_ConditionCount):
    """Σ w [not y_true and y_pred <= threshold]."""

    _index = 2


class FalseNegatives(_ConditionCount):
    """Σ w [y_true and y_pred <= threshold]."""

    _index = 3


class _PrecisionRecallBase(_ConfusionMetric):
    def __init__(
        self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_thresholds(thresholds, default=default)
        evenly = is_evenly_distributed(self.thresholds)
        self._init_counts(self.thresholds, evenly, (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(
            y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id
        )

    def _finish(self, value):
        return to_result(value[0] if len(self.thresholds) == 1 else value, self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "thresholds": _json_thresholds(self.init_thresholds),
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecallBase):
    """TP / (TP + FP) per threshold (0 when undefined); pred = y_pred > 0.5 by
    default. `top_k` counts only each row's k highest predictions as positive;
    `class_id` restricts to one column. A list of thresholds gives an array."""

    def result(self):
        return self._finish(
            divide_no_nan(
                self.true_positives, self.true_positives + self.false_positives
            )
        )


class Recall(_PrecisionRecallBase):
    """TP / (TP + FN) per threshold (0 when undefined); options as Precision."""

    def result(self):
        return self._finish(
            divide_no_nan(
                self.true_positives, self.true_positives + self.false_negatives
            )
        )


class _AtValueBase(_ConfusionMetric):
    """Best value of one rate subject to another rate >= `value`, over
    `num_thresholds` thresholds [0, 1/(T-1), ..., 1]; 0 if nothing qualifies."""

    _value_name = "value"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not 0 <= value <= 1:
            raise ValueError(
                f"Invalid value for argument {self._value_name}: expected a value "
                f"in [0, 1], received {self._value_name}={value!r}."
            )
        if num_thresholds <= 0:
            raise ValueError(
                "Invalid value for argument num_thresholds: expected an integer "
                f"> 0, received num_thresholds={num_thresholds!r}."
            )
        super().__init__(name=name, dtype=dtype)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            thresholds, evenly = [0.5], False
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            thresholds, evenly = [0.0, *inner, 1.0], True
        self.thresholds = thresholds
        self._init_counts(thresholds, evenly, (len(thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(y_true, y_pred, sample_weight, class_id=self.class_id)

    def _rates(self):
        tp, fp, tn, fn = self._counts
        return {
            "recall": divide_no_nan(tp, tp + fn),  # = sensitivity
            "specificity": divide_no_nan(tn, tn + fp),
            "precision": divide_no_nan(tp, tp + fp),
        }

    def _max_where(self, constrained, dependent):
        feasible = constrained >= self.value
        return float(np.max(dependent[feasible])) if feasible.any() else 0.0

    def get_config(self):
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._value_name: self.value,
        }


class SensitivityAtSpecificity(_AtValueBase):
    """Best sensitivity TP/(TP+FN) where specificity TN/(TN+FP) >= specificity."""

    _value_name = "specificity"

    def __init__(
        self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None
    ):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["specificity"], r["recall"])


class SpecificityAtSensitivity(_AtValueBase):
    """Best specificity where sensitivity >= sensitivity."""

    _value_name = "sensitivity"

    def __init__(
        self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None
    ):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["recall"], r["specificity"])


class PrecisionAtRecall(_AtValueBase):
    """Best precision where recall >= recall."""

    _value_name = "recall"

    def __init__(
        self, recall, num_thresholds=200, class_id=None, name=None, dtype=None
    ):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["recall"], r["precision"])


class RecallAtPrecision(_AtValueBase):
    """Best recall where precision >= precision."""

    _value_name = "precision"

    def __init__(
        self, precision, num_thresholds=200, class_id=None, name=None, dtype=None
    ):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_where(r["precision"], r["recall"])


class AUC(_ConfusionMetric):
    """Area under the ROC or PR curve, approximated over thresholds.

    Thresholds are [-eps, 1/(T-1), ..., (T-2)/(T-1), 1+eps] (or the sorted user
    `thresholds` between -eps and 1+eps). With x_i, y_i the curve's points at
    threshold i (ROC: x = FPR = FP/(FP+TN), y = TPR = TP/(TP+FN); PR: x =
    recall, y = precision), the area is Σ_i (x_i - x_{i+1}) h_i with
    h_i = (y_i + y_{i+1})/2 ("interpolation"), min(y_i, y_{i+1}) ("minoring")
    or max ("majoring"). PR with "interpolation" uses Davis & Goadrich's
    interpolation of TP and TP+FP between thresholds (see `_interpolate_pr`).
    `multi_label=True` computes one AUC per label column and averages them
    (weighted by `label_weights` if given); otherwise all entries are pooled.
    """

    _SUMMATION_METHODS = (
        "interpolation",
        "Interpolation",
        "minoring",
        "Minoring",
        "majoring",
        "Majoring",
    )

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        if curve not in ("ROC", "roc", "PR", "pr"):
            raise ValueError(
                'Invalid value for argument curve: expected one of "ROC", "PR", '
                f"received curve={curve!r}."
            )
        if summation_method not in self._SUMMATION_METHODS:
            raise ValueError(
                "Invalid value for argument summation_method: expected one of "
                '"interpolation", "minoring", "majoring", received '
                f"summation_method={summation_method!r}."
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            check_thresholds(thresholds)
            thresholds = sorted(float(t) for t in _to_list(thresholds))
            self.num_thresholds = len(thresholds) + 2
            evenly = is_evenly_distributed([0.0, *thresholds, 1.0])
        else:
            if not isinstance(num_thresholds, (int, np.integer)) or num_thresholds <= 1:
                raise ValueError(
                    "Invalid value for argument num_thresholds: expected an integer "
                    f"> 1, received num_thresholds={num_thresholds!r}."
                )
            self.num_thresholds = int(num_thresholds)
            thresholds = [
                (i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)
            ]
            evenly = True
        eps = backend.epsilon()
        super().__init__(name=name, dtype=dtype)
        self.curve = curve.upper()
        self.summation_method = summation_method.lower()
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (
            None
            if label_weights is None
            else np.asarray(label_weights, dtype=self.dtype)
        )
        self._from_logits = from_logits
        self._thresholds_list = [0.0 - eps, *thresholds, 1.0 + eps]
        self._evenly = evenly
        self._counts = None
        if multi_label:
            if num_labels:
                self._build(num_labels)
        elif num_labels:
            raise ValueError(
                "Invalid value for argument num_labels: it is needed only when "
                f"multi_label=True, received num_labels={num_labels!r}."
            )
        else:
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds used, including the -eps and 1+eps end points."""
        return list(self._thresholds_list)

    def _build(self, num_labels):
        shape = (
            (self.num_thresholds,)
            if num_labels is None
            else (self.num_thresholds, num_labels)
        )
        self._init_counts(self._thresholds_list, self._evenly, shape)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred)
        if self._counts is None:
            if y_pred.ndim != 2:
                raise ValueError(
                    "AUC with multi_label=True expects y_pred of rank 2, received "
                    f"y_pred.shape={y_pred.shape}."
                )
            self._build(y_pred.shape[1])
        if self._from_logits:
            z = y_pred.astype(self.dtype, copy=False)
            y_pred = 0.5 * (1 + np.tanh(0.5 * z))  # a stable sigmoid
        self._accumulate(
            y_true,
            y_pred,
            sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )

    def _average_labels(self, by_threshold):
        """Sum the per-interval areas; with multi_label average over labels."""
        if not self.multi_label:
            return float(np.sum(by_threshold))
        by_label = np.sum(by_threshold, axis=0)
        if self.label_weights is None:
            return float(np.mean(by_label))
        weights = self.label_weights.astype(np.float64)
        return float(divide_no_nan(np.sum(by_label * weights), np.sum(weights)))

    def _interpolate_pr(self):
        """Davis & Goadrich PR-AUC: within each interval [A, B] between
        consecutive thresholds, TP and P = TP + FP vary linearly, so precision
        = (TP_A + slope (P - P_A)) / P with slope = dTP/dP, and the area is

            slope * (dTP + intercept * log(P_A / P_B)) / (TP_B + FN_B),

        intercept = TP_B - slope * P_B (the log term is dropped when P_A or P_B
        is 0)."""
        tp, fp, _, fn = self._counts
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both_positive = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(
            both_positive, divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0
        )
        area = divide_no_nan(
            slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)
        )
        return self._average_labels(area)

    def result(self):
        if self._counts is None:
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr()
        tp, fp, tn, fn = self._counts
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average_labels((x[:-1] - x[1:]) * heights)

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": (
                None if self.label_weights is None else self.label_weights.tolist()
            ),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


__all__ = [
    "AUC",
    "FalseNegatives",
    "FalsePositives",
    "Precision",
    "PrecisionAtRecall",
    "Recall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "TrueNegatives",
    "TruePositives",
]
