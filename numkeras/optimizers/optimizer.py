"""The Optimizer base class: Keras 3's step order on NumPy arrays, two ways.

One training step (Keras's order, §6.1 of KERAS_REFERENCE.md):

1. drop None gradients (with a warning; `apply` only);
2. divide by `loss_scale_factor` if set;
3. gradient accumulation: on N-1 of every N steps only add to the accumulators;
   on the N-th use (g + accumulated) / N and reset the accumulators;
4. clip: `clipnorm` (each tensor to L2 norm <= clipnorm), `global_clipnorm`
   (all tensors together) or `clipvalue` (elementwise);
5. decoupled weight decay `w -= w * weight_decay * lr` (current lr);
6. `update_step` for each variable, in place;
7. EMA of the weights (and the periodic overwrite) if `use_ema`;
8. `iterations += 1`.

Two paths run this step. `apply(grads, variables)` is the per-tensor reference.
`apply_flat(flat_grad, flat_variable)` does the same on the concatenation of all
built variables (the model keeps its parameters and gradients as views into two
contiguous buffers), with a handful of whole-buffer ufunc calls per step
whatever the number of tensors. Both call the same `update_step`: every slot is
ONE flat buffer with per-variable views, so the two paths share storage, and
preallocated scratch buffers ("tmp", "tmp2", ...) make a step allocate nothing.

Learning rate: a float is stored like Keras's float32 variable (a 0-d array of
dtype floatx()), so `Adam(0.001).learning_rate` reads 0.0010000000474974513.
Compatibility (documented deviation): an int learning rate is accepted and
converted to float (Keras 3 raises), and tf.keras 2's `lr=` is an alias of
`learning_rate` (with a warning). Negative, infinite or NaN rates raise
ValueError. A `LearningRateSchedule` is evaluated at `iterations` before the
increment (step 0 uses schedule(0)); a callable takes no arguments (Keras).

`variables` lists the optimizer state in Keras's saved order: `iteration`
(int64 0-d; a copy), `learning_rate` (0-d floatx, only when it is a float),
then Keras's optimizer variables in creation order: the EMA averages of all
variables, the gradient accumulators of all variables, then the optimizer's
slots, interleaved per variable within each `_add_slots` call (Adam:
m(v0), v(v0), m(v1), v(v1), ..., then velocity_hat(v0), velocity_hat(v1) if
amsgrad), then any extra scalars (Nadam's u_product). Verified against
keras 3.15.1.
"""

import math
import warnings

import numpy as np

from .. import backend
from ..saving.serialization_lib import snake_case
from . import schedules


def check_fraction(name, value, low_open=False):
    """Validate a hyperparameter in [0, 1] ((0, 1] if low_open); return a float."""
    ok = isinstance(value, (int, float, np.floating, np.integer))
    if ok and not isinstance(value, bool):
        value = float(value)
        if (0.0 < value if low_open else 0.0 <= value) and value <= 1.0:
            return value
    interval = "(0, 1]" if low_open else "[0, 1]"
    raise ValueError(
        f"Invalid value for argument {name}: expected a float in {interval}, "
        f"received {name}={value!r}"
    )


def check_nonnegative(name, value):
    """Validate a finite hyperparameter >= 0; return a float."""
    ok = isinstance(value, (int, float, np.floating, np.integer))
    if ok and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    raise ValueError(
        f"Invalid value for argument {name}: expected a float >= 0, "
        f"received {name}={value!r}"
    )


def _check_learning_rate(value):
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(
        value, bool
    ):
        if math.isfinite(value) and value >= 0:
            return float(value)
    raise ValueError(
        "Argument `learning_rate` should be a float >= 0, an instance of "
        "LearningRateSchedule, or a callable (that takes no arguments and "
        f"returns the learning rate). Received: learning_rate={value!r}"
    )


class Optimizer:
    """Base class: subclasses define `_create_slots` and `update_step`.

    `update_step(gradient, variable, learning_rate, slots)` updates `variable`
    (and the arrays in the dict `slots`) in place. `learning_rate` is a scalar
    of the variable's dtype; `slots` maps each slot name and each scratch name
    to an array aligned with `variable` (a per-variable view, or the whole flat
    buffer on the flat path). It must never write to `gradient`.
    """

    _scratch_names = ("tmp",)

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        if "lr" in kwargs:
            warnings.warn(
                "The `lr` argument is deprecated, use `learning_rate` instead.",
                stacklevel=3,
            )
            learning_rate = kwargs.pop("lr")
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored "
                "(as in Keras 3). Use learning_rate=keras.optimizers.schedules."
                "InverseTimeDecay(lr, decay_steps=1, decay_rate=decay) instead.",
                stacklevel=3,
            )
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        clips = {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "global_clipnorm": global_clipnorm,
        }
        if sum(v is not None for v in clips.values()) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                f"be set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        for key, value in clips.items():
            if value is not None:
                check_nonnegative(key, value)
        if weight_decay is not None:
            check_nonnegative("weight_decay", weight_decay)
        scale = loss_scale_factor
        if scale is not None and check_nonnegative("loss_scale_factor", scale) == 0:
            raise ValueError(
                "Invalid value for argument loss_scale_factor: expected a float "
                f"> 0, received loss_scale_factor={loss_scale_factor!r}"
            )
        steps = gradient_accumulation_steps
        if steps is not None and (
            isinstance(steps, bool) or not isinstance(steps, int) or steps < 2
        ):
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={steps!r}"
            )
        if use_ema:
            check_fraction("ema_momentum", ema_momentum)
            freq = ema_overwrite_frequency
            if freq is not None and (not isinstance(freq, int) or freq < 1):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                    f"Received: ema_overwrite_frequency={freq!r}"
                )
        self.name = name or backend.unique_name(snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = 0
        self._lr_var = None  # 0-d floatx array when the learning rate is a float
        self._lr_schedule = None  # a LearningRateSchedule or a callable
        self.learning_rate = learning_rate
        self.built = False
        self._exclude_ids = set()
        self._exclude_names = ()

    # ----------------------------------------------------------------- state
    @property
    def iterations(self):
        """Optimizer steps taken (with gradient accumulation: applied updates)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value)  # the raw step counter Keras saves

    @property
    def learning_rate(self):
        """The current learning rate as a Python float."""
        if self._lr_var is not None:
            return float(self._lr_var)
        if isinstance(self._lr_schedule, schedules.LearningRateSchedule):
            return float(self._lr_schedule(self._iterations))
        return float(self._lr_schedule())

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule) or callable(value):
            self._lr_schedule, self._lr_var = value, None
            return
        if isinstance(self._lr_schedule, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object "
                "as its `learning_rate` constructor argument, hence its learning "
                "rate is not settable. If you need the learning rate to be "
                "settable, you should instantiate the optimizer with a float "
                "`learning_rate` argument."
            )
        value = _check_learning_rate(value)
        if self._lr_var is None:
            self._lr_schedule = None
            self._lr_var = np.array(value, dtype=backend.floatx())
        else:
            self._lr_var[...] = value

    @property
    def variables(self):
        """The optimizer state, in Keras's saved order (see the module docstring).

        Slot entries are live views (writing to them changes the state); the
        `iteration` entry is a copy: restore it with `set_variables`.
        """
        out = [np.array(self._iterations, dtype=np.int64)]
        if self._lr_var is not None:
            out.append(self._lr_var)
        if self.built:
            out += [self._var_slots[i][name] for name, i in self._slot_order]
            out += self._extra_variables
        return out

    @property
    def variable_shapes(self):
        """Shapes of the variables the optimizer was built for ([] before build)."""
        return list(self._shapes) if self.built else []

    def set_variables(self, values):
        """Restore `variables` (a list in the same order, e.g. read from a file)."""
        current = self.variables
        if len(values) != len(current):
            raise ValueError(
                f"Optimizer '{self.name}' has {len(current)} variables, received "
                f"a list of {len(values)} values."
            )
        for i, (variable, value) in enumerate(zip(current, values, strict=True)):
            value = np.asarray(value)
            if value.shape != variable.shape:
                raise ValueError(
                    f"Optimizer variable {i} has shape {variable.shape}, not "
                    f"compatible with the provided value of shape {value.shape}."
                )
            if i == 0:
                self._iterations = int(value)
            else:
                np.copyto(variable, value, casting="unsafe")

    set_weights = set_variables

    def save_own_variables(self, store):
        """Write `variables` into `store` under the keys "0", "1", ... (Keras)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = np.asarray(variable)

    def load_own_variables(self, store):
        """Read what `save_own_variables` wrote; skip with a warning on mismatch."""
        n = len(self.variables)
        if len(store.keys()) != n:
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because "
                f"it has {n} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables.",
                stacklevel=2,
            )
            return
        self.set_variables([np.asarray(store[str(i)]) for i in range(n)])

    # ----------------------------------------------------------------- build
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables (by identity) or names (substrings) from weight decay.

        Names are matched against the `names` passed to `build`.
        """
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before "
                "the optimizer is built."
            )
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_names = tuple(var_names or ())

    def build(self, variables, names=None):
        """Create the slots for `variables` (arrays of one float dtype, in order)."""
        if self.built:
            return
        variables = list(variables)
        dtypes = {np.dtype(v.dtype) for v in variables}
        if len(dtypes) > 1:
            raise ValueError(
                "All variables of one optimizer must share a dtype; received "
                f"{sorted(d.name for d in dtypes)}."
            )
        self._dtype = dtypes.pop() if dtypes else np.dtype(backend.floatx())
        self._built_variables = variables
        self._shapes = [v.shape for v in variables]
        sizes = [int(v.size) for v in variables]
        self._offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.intp)])
        self._size = int(self._offsets[-1])
        self._flat_slots = {}
        self._var_slots = [{} for _ in variables]
        self._slot_order = []
        self._extra_variables = []
        self._gbuf = None
        self._clip_segments = None
        names = list(names) if names is not None else [""] * len(variables)
        self._decay_mask = [
            id(v) not in self._exclude_ids
            and not any(pattern in name for pattern in self._exclude_names)
            for v, name in zip(variables, names, strict=True)
        ]
        self._decay_runs = _runs(self._decay_mask, self._offsets)
        if self.use_ema:
            self._add_slots(["average"])
        if self.gradient_accumulation_steps:
            self._add_slots(["gradient_accumulator"])
        self._create_slots()
        for name in self._scratch_names:
            self._add_buffer(name, 0.0)
        self.built = True

    def _create_slots(self):
        """Subclasses call `_add_slots` here, in Keras's creation order."""

    def _add_slots(self, names, initial_values=0.0):
        """One flat buffer per name; saved interleaved per variable (Keras).

        `initial_values` is one value for all names or a list, one per name.
        """
        if not isinstance(initial_values, (list, tuple)):
            initial_values = [initial_values] * len(names)
        for name, value in zip(names, initial_values, strict=True):
            self._add_buffer(name, value)
        for i in range(len(self._shapes)):
            self._slot_order += [(name, i) for name in names]

    def _add_buffer(self, name, initial_value):
        flat = np.full(self._size, initial_value, dtype=self._dtype)
        self._flat_slots[name] = flat
        for i, shape in enumerate(self._shapes):
            start, stop = self._offsets[i], self._offsets[i + 1]
            self._var_slots[i][name] = flat[start:stop].reshape(shape)

    # ----------------------------------------------------------------- steps
    def apply_gradients(self, grads_and_vars):
        """Keras alias: `apply(*zip(*grads_and_vars))`; returns `iterations`."""
        grads, variables = zip(*grads_and_vars, strict=True)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, variables=None):
        """Per-tensor reference step: update `variables` (arrays) in place."""
        grads = list(grads)
        if not grads:
            return
        if variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must "
                    "already be built: call `optimizer.build(variables)` first."
                )
            variables = self._built_variables
        variables = list(variables)
        self.build(variables)
        if len(grads) != len(self._shapes) or len(variables) != len(self._shapes):
            raise ValueError(
                f"Optimizer '{self.name}' was built for {len(self._shapes)} "
                f"variables; received {len(grads)} gradients and "
                f"{len(variables)} variables."
            )
        keep = [i for i, g in enumerate(grads) if g is not None]
        if not keep:
            raise ValueError("No gradients provided for any variable.")
        if len(keep) < len(grads):
            missing = [i for i, g in enumerate(grads) if g is None]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing "
                "the loss.",
                stacklevel=2,
            )
        for i in keep:
            shape = self._shapes[i]
            if variables[i].shape != shape or np.shape(grads[i]) != shape:
                raise ValueError(
                    f"Variable {i}: expected shape {shape}, received a "
                    f"variable of shape {variables[i].shape} and a gradient of "
                    f"shape {np.shape(grads[i])}."
                )
        gs = [np.asarray(grads[i], dtype=self._dtype) for i in keep]
        ws = [variables[i] for i in keep]
        slots = [self._var_slots[i] for i in keep]
        lr = self.learning_rate
        if self.loss_scale_factor is not None:
            gs = [g / self.loss_scale_factor for g in gs]
        steps = self.gradient_accumulation_steps
        if steps:
            accumulators = [s["gradient_accumulator"] for s in slots]
            if (self._iterations + 1) % steps != 0:
                for acc, g in zip(accumulators, gs, strict=True):
                    acc += g
                return self._end_step(variables, self._var_slots)
            gs = [(g + acc) / steps for g, acc in zip(gs, accumulators, strict=True)]
        gs = self._clip_tensors(gs)
        if self.weight_decay is not None:
            for i, w, s in zip(keep, ws, slots, strict=True):
                if self._decay_mask[i]:
                    self._decay(w, s["tmp"], lr)
        self._update_variables(gs, ws, slots, self._dtype.type(lr))
        if steps:
            self._flat_slots["gradient_accumulator"].fill(0)
        self._end_step(variables, self._var_slots)

    def apply_flat(self, flat_grad, flat_variable):
        """The same step on the concatenation of all built variables, in place.

        `flat_grad` and `flat_variable` are 1-D arrays of the built dtype whose
        segments follow the build order (the model's contiguous buffers).
        `flat_grad` is only read.
        """
        if not self.built:
            raise ValueError(
                "Call `optimizer.build(variables)` before `apply_flat`: the "
                "segment layout comes from the built variables."
            )
        expected = ((self._size,), self._dtype)
        for name, a in (("flat_grad", flat_grad), ("flat_variable", flat_variable)):
            if (a.shape, a.dtype) != expected:
                raise ValueError(
                    f"Invalid {name}: expected a 1-D {self._dtype} array of size "
                    f"{self._size}, received shape {a.shape} and dtype {a.dtype}."
                )
        slots = self._flat_slots
        lr = self.learning_rate
        g = flat_grad
        if self.loss_scale_factor is not None:
            g = np.divide(g, self.loss_scale_factor, out=self._grad_buffer())
        steps = self.gradient_accumulation_steps
        if steps:
            accumulator = slots["gradient_accumulator"]
            if (self._iterations + 1) % steps != 0:
                accumulator += g
                return self._end_step([flat_variable], [slots])
            g = np.add(g, accumulator, out=self._grad_buffer())
            g /= steps
        g = self._clip_flat(g)
        if self.weight_decay is not None:
            for start, stop in self._decay_runs:
                self._decay(flat_variable[start:stop], slots["tmp"][start:stop], lr)
        self._update_variables([g], [flat_variable], [slots], self._dtype.type(lr))
        if steps:
            slots["gradient_accumulator"].fill(0)
        self._end_step([flat_variable], [slots])

    def _update_variables(self, grads, variables, slots, lr):
        """Run `update_step` per variable (Nadam adds a once-per-step update)."""
        for g, w, s in zip(grads, variables, slots, strict=True):
            self.update_step(g, w, lr, s)

    def update_step(self, gradient, variable, learning_rate, slots):
        raise NotImplementedError

    def _end_step(self, variables, slots):
        """EMA of the weights (Keras: momentum 0 at the first step), then count."""
        if self.use_ema:
            dt = self._dtype.type
            momentum = dt(self.ema_momentum) if self.iterations != 0 else dt(0)
            for w, s in zip(variables, slots, strict=True):
                average, tmp = s["average"], s["tmp"]
                average *= momentum
                average += np.multiply(w, dt(1) - momentum, out=tmp)
            freq = self.ema_overwrite_frequency
            if freq and (self.iterations + 1) % freq == 0:
                for w, s in zip(variables, slots, strict=True):
                    np.copyto(w, s["average"])
        self._iterations += 1

    def _decay(self, w, tmp, lr):
        """Decoupled weight decay, Keras's float arithmetic: w -= (w * wd) * lr."""
        dt = w.dtype.type
        np.multiply(w, dt(self.weight_decay), out=tmp)
        tmp *= dt(lr)
        w -= tmp

    def _grad_buffer(self):
        if self._gbuf is None:
            self._gbuf = np.empty(self._size, dtype=self._dtype)
        return self._gbuf

    def _clip_tensors(self, grads):
        """Keras's clipping, one tensor at a time (returns new arrays)."""
        dt = self._dtype.type
        if self.clipnorm and self.clipnorm > 0:
            clip = dt(self.clipnorm)
            return [g * clip / max(np.sqrt(np.sum(np.square(g))), clip) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = np.sqrt(sum(np.dot(g.ravel(), g.ravel()) for g in grads))
            scale = self._global_scale(dt(norm))
            return [g * scale for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _clip_flat(self, g):
        """The same clipping on the flat gradient, into the gradient buffer."""
        dt = self._dtype.type
        if self.clipnorm and self.clipnorm > 0 and self._size:
            # Squared norms of all segments in one reduceat pass, then Keras's
            # g * clipnorm / max(norm, clipnorm) with one division per segment
            # view (np.take of a per-element denominator costs more).
            if self._clip_segments is None:
                self._segments()
            clip = dt(self.clipnorm)
            squares = np.square(g, out=self._flat_slots["tmp"])
            norms = np.sqrt(np.add.reduceat(squares, self._seg_starts))
            out = np.multiply(g, clip, out=self._grad_buffer())
            for segment, denom in zip(
                self._clip_segments, np.maximum(norms, clip), strict=True
            ):
                np.divide(segment, denom, out=segment)
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            scale = self._global_scale(np.sqrt(np.dot(g, g)))
            return np.multiply(g, scale, out=self._grad_buffer())
        if self.clipvalue and self.clipvalue > 0:
            v = self.clipvalue
            return np.clip(g, -v, v, out=self._grad_buffer())
        return g

    def _global_scale(self, norm):
        """Keras: clip * min(1/norm, 1/clip) + (norm - norm) (NaN/inf propagate)."""
        dt = self._dtype.type
        if norm == 0:
            return dt(1)
        clip = self.global_clipnorm
        return clip * np.minimum(dt(1.0) / norm, dt(1.0 / clip)) + (norm - norm)

    def _segments(self):
        """Starts of the non-empty segments and their views of the grad buffer."""
        bounds = zip(self._offsets[:-1], self._offsets[1:], strict=True)
        nonempty = [(int(a), int(b)) for a, b in bounds if b > a]
        self._seg_starts = np.array([a for a, _ in nonempty], dtype=np.intp)
        gbuf = self._grad_buffer()
        self._clip_segments = [gbuf[a:b] for a, b in nonempty]

    def finalize_variable_values(self, var_list):
        """With `use_ema`, copy the moving averages into the variables (fit's end)."""
        if self.use_ema:
            for w, slots in zip(var_list, self._var_slots, strict=True):
                np.copyto(w, slots["average"])

    def scale_loss(self, loss):
        """Multiply the loss by `loss_scale_factor` when it is set."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    # ---------------------------------------------------------------- config
    def get_config(self):
        """Keras's config keys; learning_rate is the float32-rounded float or
        the serialized schedule."""
        if self._lr_var is not None:
            learning_rate = float(self._lr_var)
        elif isinstance(self._lr_schedule, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(self._lr_schedule)
        else:
            learning_rate = self._lr_schedule  # a plain callable is kept as is
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for legacy_key in ("is_legacy_optimizer", "jit_compile"):  # tf.keras 2.11+
            config.pop(legacy_key, None)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)


def _runs(mask, offsets):
    """Merge consecutive selected segments into (start, stop) flat ranges."""
    runs = []
    for i, selected in enumerate(mask):
        start, stop = int(offsets[i]), int(offsets[i + 1])
        if not selected or start == stop:
            continue
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], stop)
        else:
            runs.append((start, stop))
    return runs
