"""GradientMonitor: see inside the network while it trains.

For every layer with weights or an activation, and for every epoch, the
monitor records (averaged over the epoch's monitored training steps t):

    grad_norm           mean_t ||g_t||            g_t = dL/dW of the layer's
                                                  weights (kernel and bias
                                                  together) at step t
    update_ratio        mean_u ||ΔW_u|| / ||W||   ΔW_u = W after - W before
                                                  the optimizer step, on one
                                                  step u in `update_every`; a
                                                  healthy value is near 1e-3
    weight_norm         ||W|| at the end of the epoch
    dead_fraction       fraction of ReLU units that were never active
                        (output 0 for every sample of every monitored batch)
    saturated_fraction  fraction of sigmoid/tanh outputs in the flat zone:
                        sigmoid y < 0.01 or y > 0.99 (σ'(z) = y(1 - y) < 0.0099,
                        against 0.25 at most); tanh |y| > 0.99 (1 - y² < 0.02)
    act_mean, act_std   mean and standard deviation of the layer's output
                        over all samples and units of the monitored batches

`monitor.records` gives each of these as a NumPy array of shape
(epochs, layers), NaN where a quantity does not apply (a layer without weights
has no gradient norm, a sigmoid layer has no dead units); `monitor.layer_names`
names the columns.

At the end of every epoch the monitor looks for the failures the tutorials
teach and warns (a `TrainingDiagnosticWarning`, through Python's `warnings`,
once per problem and layer per `fit`):

- vanishing gradients: an early layer's gradient norm is more than
  `1 / vanishing_ratio` (default 1000) times smaller than the last layer's;
- exploding gradients: a gradient norm above `exploding_norm`, non-finite,
  or an early layer's norm 1000 times *larger* than the last layer's;
- dead ReLUs: more than `dead_threshold` of a layer's ReLU units never fire;
- saturation: more than `saturation_threshold` of a sigmoid/tanh layer's
  outputs sit in the flat zone.

Cost: nothing when the monitor is not in `callbacks` (the training loop only
calls batch hooks of callbacks that override them). When used, each monitored
step adds one dot product per layer for the gradient norm and, per activation
output, one matrix-vector product and one dot product. Measuring an update
needs a copy of all the weights before the step and a subtraction after it,
the dearest part, so it is done on one step in `update_every` (default 10).
`every=k` monitors one step in k (the dead-unit test then sees only those
batches).

It reads three things the model keeps during `fit`: `model._flat_params`
and `model._flat_grads` (every trainable weight and its gradient as views into
two contiguous buffers; after a step the gradient buffer still holds that
step's gradients) and `model._last_caches` (each layer's forward cache of the
last step: Dense keeps (x, z, y), activation layers (x, y)).
"""

import math
import warnings

import numpy as np

from .callback import Callback

RELU_NAMES = ("relu", "relu6")
SATURATING_NAMES = ("sigmoid", "tanh")
RECORD_KEYS = (
    "grad_norm",
    "update_ratio",
    "weight_norm",
    "dead_fraction",
    "saturated_fraction",
    "act_mean",
    "act_std",
)


class TrainingDiagnosticWarning(UserWarning):
    """A GradientMonitor finding: vanishing/exploding gradients, dead or
    saturated units. Filter it like any warning, e.g.
    `warnings.simplefilter("ignore", TrainingDiagnosticWarning)`."""


class _LayerWatch:
    """What the monitor tracks for one layer, and the running sums of an epoch."""

    def __init__(self, index, layer, start, stop):
        self.index = index  # position in model.layers (and in the caches)
        self.layer = layer
        self.name = layer.name
        self.start, self.stop = start, stop  # its weights in the flat buffers
        self.activation = _activation_name(layer)
        self.kind = None
        if self.activation in RELU_NAMES and _is_plain_relu(layer):
            self.kind = "relu"
        elif self.activation in SATURATING_NAMES:
            self.kind = self.activation
        self.reset()

    @property
    def has_weights(self):
        return self.stop > self.start

    def reset(self):
        self.grad_norm_sum = 0.0
        self.update_norm_sum = 0.0
        self.unit_sum = 0.0  # per unit: sum of its outputs over the samples
        self.sq_sum = 0.0
        self.count = 0
        self.saturated = 0


class GradientMonitor(Callback):
    """Per-layer, per-epoch training diagnostics with plain-words warnings.

    Args:
        every: monitor one training step in `every` (1 = all steps).
        update_every: measure the update ΔW on one step in `update_every`.
        vanishing_ratio: warn when an earlier layer's gradient norm divided by
            the last layer's falls below this (or rises above its inverse:
            exploding).
        exploding_norm: warn when a layer's gradient norm exceeds this.
        dead_threshold: warn when more than this fraction of a layer's ReLU
            units are dead.
        saturation_threshold: warn when more than this fraction of a
            sigmoid/tanh layer's outputs are saturated.
        warn: issue `TrainingDiagnosticWarning`s (the findings are kept in
            `monitor.findings` either way).
        verbose: 1 prints the summary table (`monitor.summary()`) at the end
            of training.

    Example:
        monitor = GradientMonitor()
        model.fit(x, y, epochs=5, callbacks=[monitor])
        monitor.records["grad_norm"]   # array (5, n_layers)
        print(monitor.summary())
    """

    def __init__(
        self,
        every=1,
        update_every=10,
        vanishing_ratio=1e-3,
        exploding_norm=1e3,
        dead_threshold=0.5,
        saturation_threshold=0.5,
        warn=True,
        verbose=0,
    ):
        super().__init__()
        for name, value in (("every", every), ("update_every", update_every)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"Invalid value for argument {name}: expected a positive "
                    f"integer, received {name}={value!r}."
                )
        self.every = every
        self.update_every = update_every
        self.vanishing_ratio = float(vanishing_ratio)
        self.exploding_norm = float(exploding_norm)
        self.dead_threshold = float(dead_threshold)
        self.saturation_threshold = float(saturation_threshold)
        self.warn = bool(warn)
        self.verbose = verbose
        self.layer_names = []
        self.activations = []
        self.epochs = []
        self.findings = []
        self._rows = []
        self._watches = []
        self._warned = set()

    # ------------------------------------------------------------ set-up
    def on_train_begin(self, logs=None):
        model = self.model
        ranges = {}  # id(layer) -> (start, stop) of its weights in the flat buffers
        offset = 0
        for layer, name in model._owners:
            size = layer.params[name].size
            start = ranges.get(id(layer), (offset, offset))[0]
            ranges[id(layer)] = (start, offset + size)
            offset += size
        self._watches = []
        for i, layer in enumerate(model.layers):
            start, stop = ranges.get(id(layer), (0, 0))
            watch = _LayerWatch(i, layer, start, stop)
            if watch.has_weights or watch.activation is not None:
                self._watches.append(watch)
        self._weighted = [w for w in self._watches if w.has_weights]
        self._activated = [w for w in self._watches if w.activation is not None]
        self.layer_names = [w.name for w in self._watches]
        self.activations = [w.activation for w in self._watches]
        self._before = np.empty_like(model._flat_params)
        self._update = np.empty_like(model._flat_params)
        self._ones = np.ones(0, dtype=model._flat_params.dtype)
        self._rows = []
        self.epochs = []
        self.findings = []
        self._warned = set()

    def on_epoch_begin(self, epoch, logs=None):
        self._steps = 0
        self._update_steps = 0
        for watch in self._watches:
            watch.reset()

    # ------------------------------------------------------------ per step
    def on_train_batch_begin(self, batch, logs=None):
        if batch % self.update_every == 0:
            np.copyto(self._before, self.model._flat_params)

    def on_train_batch_end(self, batch, logs=None):
        """Add this step's numbers to the epoch's sums.

        Gradient and update norms: one dot product per layer on its slice of
        the flat buffers, ||g|| = sqrt(g . g). Activations: the per-unit sums
        over the batch are one matrix-vector product 1ᵀY (Y of shape
        (samples, units)); a ReLU unit whose sum stays 0 over the epoch never
        fired (ReLU outputs are >= 0), i.e. it is dead.
        """
        model = self.model
        if batch % self.update_every == 0:
            self._update_steps += 1
            update = np.subtract(model._flat_params, self._before, out=self._update)
            for watch in self._weighted:
                u = update[watch.start : watch.stop]
                watch.update_norm_sum += math.sqrt(np.dot(u, u))
        if batch % self.every != 0:
            return
        self._steps += 1
        grads = model._flat_grads
        for watch in self._weighted:
            g = grads[watch.start : watch.stop]
            watch.grad_norm_sum += math.sqrt(np.dot(g, g))
        caches = model._last_caches
        for watch in self._activated:
            y = _cache_output(caches[watch.index])
            if y is None:
                continue
            y2 = y.reshape(-1, y.shape[-1])
            if len(self._ones) != len(y2) or self._ones.dtype != y2.dtype:
                self._ones = np.ones(len(y2), dtype=y2.dtype)
            watch.unit_sum = watch.unit_sum + self._ones @ y2
            flat = y2.reshape(-1)
            watch.sq_sum += float(np.dot(flat, flat))
            watch.count += flat.size
            if watch.kind == "sigmoid":
                watch.saturated += int(np.count_nonzero(np.abs(flat - 0.5) > 0.49))
            elif watch.kind == "tanh":
                watch.saturated += int(np.count_nonzero(np.abs(flat) > 0.99))

    # ------------------------------------------------------------ per epoch
    def on_epoch_end(self, epoch, logs=None):
        """Turn the epoch's sums into one row of records, then diagnose.

        act_mean = Σy / N and act_std = sqrt(Σy² / N - act_mean²) over the N
        outputs seen; update_ratio = (mean measured ||ΔW||) / ||W at epoch end||.
        """
        row = {key: np.full(len(self._watches), np.nan) for key in RECORD_KEYS}
        params = self.model._flat_params
        steps = self._steps
        for j, watch in enumerate(self._watches):
            if watch.has_weights and steps:
                w = params[watch.start : watch.stop]
                weight_norm = math.sqrt(np.dot(w, w))
                row["weight_norm"][j] = weight_norm
                row["grad_norm"][j] = watch.grad_norm_sum / steps
                row["update_ratio"][j] = (
                    watch.update_norm_sum
                    / max(self._update_steps, 1)
                    / max(weight_norm, 1e-12)
                )
            if watch.count:
                mean = float(np.sum(watch.unit_sum)) / watch.count
                row["act_mean"][j] = mean
                row["act_std"][j] = math.sqrt(
                    max(watch.sq_sum / watch.count - mean * mean, 0.0)
                )
                if watch.kind == "relu":
                    row["dead_fraction"][j] = float(np.mean(watch.unit_sum == 0))
                elif watch.kind in SATURATING_NAMES:
                    row["saturated_fraction"][j] = watch.saturated / watch.count
        self._rows.append(row)
        self.epochs.append(epoch)
        self._diagnose(epoch, row)

    def on_train_end(self, logs=None):
        if self.verbose and self._rows:
            print(self.summary())

    # ------------------------------------------------------------ results
    @property
    def records(self):
        """{quantity: array of shape (epochs, layers)} (see the module doc)."""
        n = len(self._watches) if self._watches else len(self.layer_names)
        return {
            key: np.array([row[key] for row in self._rows]).reshape(-1, n)
            for key in RECORD_KEYS
        }

    def gradient_ratio(self, epoch=-1):
        """Gradient norm of the first layer with weights divided by the last
        one's (at `epoch`, default the last): ~1 is healthy, 1e-3 vanishing."""
        norms = self.records["grad_norm"][epoch]
        norms = norms[~np.isnan(norms)]
        if len(norms) < 2 or norms[-1] == 0:
            return float("nan")
        return float(norms[0] / norms[-1])

    def summary(self, epoch=-1):
        """A text table of the records at `epoch` (default: the last)."""
        if not self._rows:
            return "GradientMonitor: no epoch recorded yet."
        rec = {key: values[epoch] for key, values in self.records.items()}
        header = (
            f"{'layer':<16}{'activation':<12}{'grad norm':>11}{'update/W':>10}"
            f"{'dead':>7}{'satur.':>8}{'act mean':>10}{'act std':>9}"
        )
        lines = [f"GradientMonitor, epoch {self.epochs[epoch] + 1}", header]
        lines.append("-" * len(header))
        for j, name in enumerate(self.layer_names):
            lines.append(
                f"{name[:15]:<16}{str(self.activations[j] or '-')[:11]:<12}"
                f"{_fmt(rec['grad_norm'][j], '.2e'):>11}"
                f"{_fmt(rec['update_ratio'][j], '.1e'):>10}"
                f"{_fmt(rec['dead_fraction'][j], '.0%'):>7}"
                f"{_fmt(rec['saturated_fraction'][j], '.0%'):>8}"
                f"{_fmt(rec['act_mean'][j], '.3f'):>10}"
                f"{_fmt(rec['act_std'][j], '.3f'):>9}"
            )
        ratio = self.gradient_ratio(epoch)
        if not math.isnan(ratio):
            lines.append(f"gradient norm, first layer / last layer: {ratio:.2e}")
        for finding in self.findings:
            lines.append("! " + finding)
        return "\n".join(lines)

    # ------------------------------------------------------------ diagnosis
    def _diagnose(self, epoch, row):
        weighted = [
            j
            for j, w in enumerate(self._watches)
            if not math.isnan(row["grad_norm"][j])
        ]
        names = self.layer_names
        norms = row["grad_norm"]
        for j in weighted:
            if not math.isfinite(norms[j]):
                self._report(
                    "exploding",
                    names[j],
                    f"Gradients exploded: layer {names[j]!r} got a non-finite "
                    f"gradient (inf/NaN) in epoch {epoch + 1}. Lower the learning "
                    "rate, clip gradients (e.g. optimizer=SGD(..., clipnorm=1.0)), "
                    "and check that the inputs are scaled (e.g. x / 255).",
                )
            elif norms[j] > self.exploding_norm:
                self._report(
                    "exploding",
                    names[j],
                    f"Gradients are exploding: layer {names[j]!r} has gradient norm "
                    f"{norms[j]:.2e} (above {self.exploding_norm:g}) in epoch "
                    f"{epoch + 1}. Lower the learning rate, clip gradients "
                    "(optimizer clipnorm=1.0), and check the input scaling.",
                )
        dead = row["dead_fraction"] > self.dead_threshold  # NaN compares False
        if len(weighted) >= 2:
            last = weighted[-1]
            for j in weighted[:-1]:
                if dead[j] or not (math.isfinite(norms[j]) and norms[last] > 0):
                    continue  # dead units get zero gradient: reported below
                ratio = norms[j] / norms[last]
                if ratio < self.vanishing_ratio:
                    squashing = sorted(
                        {a for a in self.activations if a in SATURATING_NAMES}
                    )
                    cause = (
                        f"Each {'/'.join(squashing)} layer multiplies the gradient "
                        "by its derivative (at most 0.25 for sigmoid), so it shrinks "
                        "layer after layer. "
                        if squashing
                        else ""
                    )
                    self._report(
                        "vanishing",
                        names[j],
                        f"Gradients are vanishing: layer {names[j]!r} has gradient "
                        f"norm {norms[j]:.2e}, {ratio:.1e} times the last layer's "
                        f"({norms[last]:.2e}) in epoch {epoch + 1}, so it barely "
                        f"learns. {cause}Use activation='relu' with "
                        "kernel_initializer='he_normal' in the hidden layers, or a "
                        "shallower network.",
                    )
                    break
                if ratio > 1.0 / self.vanishing_ratio:
                    self._report(
                        "exploding",
                        names[j],
                        f"Gradients are exploding towards the input: layer "
                        f"{names[j]!r} has gradient norm {norms[j]:.2e}, {ratio:.1e} "
                        f"times the last layer's in epoch {epoch + 1}. Use "
                        "Glorot/He initialization, a lower learning rate and "
                        "gradient clipping (optimizer clipnorm=1.0).",
                    )
                    break
        for j, name in enumerate(names):
            dead = row["dead_fraction"][j]
            if dead > self.dead_threshold:
                self._report(
                    "dead",
                    name,
                    f"Dead ReLUs: {dead:.0%} of layer {name!r}'s units output 0 for "
                    f"every sample in epoch {epoch + 1}; they get no gradient and "
                    "never recover. Lower the learning rate, use "
                    "kernel_initializer='he_normal', or LeakyReLU.",
                )
            saturated = row["saturated_fraction"][j]
            if saturated > self.saturation_threshold:
                self._report(
                    "saturated",
                    name,
                    f"Saturated units: {saturated:.0%} of layer {name!r}'s "
                    f"{self.activations[j]} outputs are in the flat zone in epoch "
                    f"{epoch + 1}, where the derivative is almost 0. Scale the "
                    "inputs, use Glorot initialization, or use ReLU.",
                )

    def _report(self, kind, layer_name, message):
        if (kind, layer_name) in self._warned:
            return
        self._warned.add((kind, layer_name))
        self.findings.append(message)
        if self.warn:
            warnings.warn(message, TrainingDiagnosticWarning, stacklevel=2)


def _activation_name(layer):
    """The name of the activation a layer applies ("relu", ...), or None."""
    fn = getattr(layer, "activation", None) or getattr(layer, "fn", None)
    name = getattr(fn, "name", None)
    if name in (None, "linear"):
        return None
    return name


def _is_plain_relu(layer):
    """A ReLU whose negative side is exactly 0 (a leaky one cannot die)."""
    fn = getattr(layer, "activation", None) or getattr(layer, "fn", None)
    return not getattr(fn, "kwargs", {}).get("negative_slope", 0.0)


def _cache_output(cache):
    """The layer output kept in a forward cache: Dense's cache.y, or the
    second item of an activation layer's (x, y)."""
    if hasattr(cache, "y"):
        return cache.y
    if isinstance(cache, tuple) and len(cache) == 2:
        return cache[1]
    return None


def _fmt(value, spec):
    return "-" if value is None or math.isnan(value) else format(value, spec)
