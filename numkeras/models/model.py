"""Model: compile / fit / evaluate / predict, and the training step.

The training step is the one place where layers, loss, optimizer and
regularizers meet (ARCHITECTURE.md §5.4):

    forward through the layers, keeping each layer's cache
    loss value and dL/dy_pred   (or dL/dz on the logits: the fused head)
    backward through the layers in reverse, stopping at the first layer
        that has weights (nobody needs the gradient of the input data)
    add weight-regularization penalties and their gradients
    one optimizer update over the flat parameter buffer, then constraints

Subclasses provide `layers` (in order), `build()`, `built`, `input_shape` and
`compute_output_shape()`.
"""

import math

import numpy as np

from .. import backend, losses, metrics, optimizers
from ..callbacks.callback import CallbackList
from ..callbacks.history import History
from ..callbacks.progbar_logger import ProgbarLogger
from ..utils import blas_threads
from . import data_adapter

_VERBOSE = (0, 1, 2, "auto")


class Model:
    """Base of Sequential: everything about training that is not the layer list."""

    def __init__(self, *args, name=None, trainable=True, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotImplementedError(
                "The functional API (keras.Model(inputs, outputs)) is not supported "
                "yet; build the model with numkeras.Sequential([...])."
            )
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}"
            )
        from ..saving.serialization_lib import snake_case

        self.name = name or backend.unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compile_config = None
        self._initial_epoch = None  # set by BackupAndRestore to resume a fit
        self._state = None  # what the training step needs, set up on first data

    # ---------------------------------------------------------------- compile
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
    ):
        """Configure training (Keras's arguments; the last four are accepted and
        have no effect in NumPy). `metrics="accuracy"` as a bare string is
        accepted, as tf.keras 2 did."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else _get_loss(loss)
        if loss_weights is not None and not isinstance(loss_weights, (int, float)):
            if isinstance(loss_weights, (list, tuple)) and len(loss_weights) == 1:
                loss_weights = loss_weights[0]
            else:
                raise ValueError(
                    "Invalid value for argument loss_weights: a single-output "
                    f"model takes one number, received loss_weights={loss_weights!r}."
                )
        self.loss_weight = 1.0 if loss_weights is None else float(loss_weights)
        self._metric_ids = _metric_list(metrics, "metrics")
        self._weighted_metric_ids = _metric_list(weighted_metrics, "weighted_metrics")
        self._compile_config = {
            "optimizer": optimizer if isinstance(optimizer, str) else None,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }
        self.compiled = True
        self._state = None

    def _assert_compiled(self):
        if not self.compiled:
            raise ValueError("You must call compile() before using the model.")
        if self.loss is None:
            raise ValueError(
                "The model has no loss: pass one to compile(loss=...), e.g. "
                "loss='sparse_categorical_crossentropy'."
            )

    @property
    def metrics_names(self):
        """Keras 3 returns ["loss", "compile_metrics"] here; numkeras lists the
        real names (what users of tf.keras 2 expect)."""
        state = self._state
        names = ["loss"]
        if state is not None:
            names += [m.name for m in state.metrics + state.weighted_metrics]
        return names

    # ------------------------------------------------------ training set-up
    def _prepare(self, x, y):
        """Once per compile (or after the layers change): build, resolve the
        shape-dependent strings, choose the loss head, flatten the weights."""
        layers_key = tuple(id(layer) for layer in self.layers)
        if self._state is not None and self._state.layers_key == layers_key:
            return self._state
        if not self.built:
            self.build((None,) + tuple(x.shape[1:]))
        self._check_input_shape(x, "x")
        # One-sample stand-ins: the string choices below depend on shapes only.
        y_probe = np.zeros(
            self.compute_output_shape((1,) + tuple(x.shape[1:])), backend.floatx()
        )
        y = y[:1]
        loss = self.loss
        if isinstance(loss, str):  # "crossentropy"/"ce", chosen from shapes
            loss = losses.get(_crossentropy_name(y, y_probe))
        self._state = _TrainState(
            layers=tuple(self.layers),
            loss=loss,
            head=self._choose_head(loss),
            metrics=[metrics.resolve(m, y, y_probe) for m in self._metric_ids],
            weighted_metrics=[
                _weighted_name(metrics.resolve(m, y, y_probe), self._metric_ids)
                for m in self._weighted_metric_ids
            ],
        )
        self._check_regularizers()
        self._flatten_weights()
        return self._state

    def _choose_head(self, loss):
        """The fused softmax/sigmoid + crossentropy head, if it applies."""
        if not getattr(self, "fuse_loss_head", True) or not self.layers:
            return None
        last = self.layers[-1]
        if not hasattr(last, "backward_linear") or last.activity_regularizer:
            return None
        return losses.logits_form(last.activation.name, loss)

    def _flatten_weights(self):
        """Put every trainable weight and its gradient into two contiguous
        buffers; layer dicts keep views, so one optimizer call updates all."""
        owners = [
            (layer, name)
            for layer in self.layers
            if layer.trainable
            for name in layer._trainable_names
        ]
        dtype = (
            backend.floatx() if not owners else owners[0][0].params[owners[0][1]].dtype
        )
        size = sum(layer.params[name].size for layer, name in owners)
        flat_params = np.empty(size, dtype=dtype)
        flat_grads = np.zeros(size, dtype=dtype)
        offset = 0
        for layer, name in owners:
            n = layer.params[name].size
            shape = layer.params[name].shape
            flat_params[offset : offset + n] = layer.params[name].reshape(-1)
            layer.params[name] = flat_params[offset : offset + n].reshape(shape)
            layer.grads[name] = flat_grads[offset : offset + n].reshape(shape)
            offset += n
        self._owners = owners
        self._regularized = [
            (layer.params[name], layer.grads[name], layer.regularizers[name])
            for layer, name in owners
            if name in layer.regularizers
        ]
        self._constrained = [
            (layer.params[name], constraint)
            for layer in self.layers
            for name, constraint in layer.constraints.items()
        ]
        self._flat_params = flat_params
        self._flat_grads = flat_grads
        self._first_trainable = next(
            (
                i
                for i, layer in enumerate(self.layers)
                if layer.trainable and layer._trainable_names
            ),
            len(self.layers),
        )
        self._build_optimizer()

    def _build_optimizer(self):
        """Build the optimizer's slots for the trainable weights, unless it
        already holds state for exactly these shapes (e.g. loaded from a file)."""
        shapes = [w.shape for w in self.trainable_weights]
        if not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)
        elif self.optimizer.variable_shapes != shapes:
            raise ValueError(
                f"The optimizer {self.optimizer.name!r} already holds state for "
                f"weights of shapes {self.optimizer.variable_shapes}, but this "
                f"model trains weights of shapes {shapes}. Pass a new optimizer "
                "to compile() (e.g. optimizer='adam')."
            )

    def _check_regularizers(self):
        """Weight and activity regularizers must have a gradient to train."""
        for layer in self.layers:
            regs = list(layer.regularizers.items())
            if layer.activity_regularizer is not None:
                regs.append(("activity", layer.activity_regularizer))
            for name, reg in regs:
                if not hasattr(reg, "grad"):
                    raise ValueError(
                        f"Layer {layer.name!r}: the {name} regularizer {reg!r} has "
                        "no grad(w), so numkeras cannot train with it. Use "
                        "numkeras.regularizers (L1, L2, L1L2, ...) or subclass "
                        "numkeras.regularizers.Regularizer and implement grad()."
                    )

    # --------------------------------------------------------- the train step
    def _forward(self, x, training):
        """(y_pred, caches, activity penalty, {layer index: output} for the
        layers with an activity regularizer)."""
        caches = []
        activity_loss = 0.0
        activity_outputs = {}
        for i, layer in enumerate(self.layers):
            x, cache = layer.forward(x, training=training)
            caches.append(cache)
            if layer.activity_regularizer is not None:
                activity_loss += float(layer.activity_regularizer(x)) / len(x)
                activity_outputs[i] = x
        return x, caches, activity_loss, activity_outputs

    def _loss_and_grad(self, state, y, y_pred, caches, sample_weight):
        """(loss value, gradient, index of the layer to backpropagate from)."""
        last = len(caches) - 1
        if state.head is not None:
            value, dz = state.head.value_and_grad(y, caches[-1].z, sample_weight)
            if self.loss_weight != 1.0:
                value, dz = value * self.loss_weight, dz * self.loss_weight
            dy = state.layers[-1].backward_linear(
                caches[-1], dz, input_grad=last > self._first_trainable
            )
            return value, dy, last - 1
        value, dy = state.loss.value_and_grad(y, y_pred, sample_weight)
        if self.loss_weight != 1.0:
            value, dy = value * self.loss_weight, dy * self.loss_weight
        return value, dy, last

    def _backward(self, caches, dy, start, activity_outputs):
        """Reverse loop from layer `start` down to the first layer with weights;
        an activity penalty r(y_i)/batch adds r'(y_i)/batch to layer i's dy."""
        layers = self.layers
        for i in range(start, self._first_trainable - 1, -1):
            layer = layers[i]
            if i in activity_outputs:
                y = activity_outputs[i]
                dy = dy + layer.activity_regularizer.grad(y) / len(y)
            dy = layer.backward(caches[i], dy, input_grad=i > self._first_trainable)

    def _regularization(self):
        """Σ penalties of trainable weights (added whole to every batch's loss)."""
        return sum(float(reg(param)) for param, _, reg in self._regularized)

    def _add_regularization_grads(self):
        """Backward of the penalties: grad += reg'(w)."""
        for param, grad, reg in self._regularized:
            grad += reg.grad(param)

    def _apply_constraints(self):
        for param, constraint in self._constrained:
            np.copyto(param, constraint(param))

    def _train_step(self, state, x, y, sample_weight):
        """One update on a batch; returns (total loss, y_pred)."""
        y_pred, caches, activity_loss, activity_outputs = self._forward(x, True)
        self._last_caches = caches  # read by diagnostics callbacks; costs nothing
        value, dy, start = self._loss_and_grad(state, y, y_pred, caches, sample_weight)
        if dy is not None:
            self._backward(caches, dy, start, activity_outputs)
        value += activity_loss + self._regularization()
        self._add_regularization_grads()
        if self._flat_params.size:
            self.optimizer.apply_flat(self._flat_grads, self._flat_params)
        self._apply_constraints()
        return value, y_pred

    def _test_step(self, state, x, y, sample_weight):
        y_pred, caches, activity_loss, _ = self._forward(x, training=False)
        if state.head is not None:
            value = state.head(y, caches[-1].z, sample_weight=sample_weight)
        else:
            value = state.loss(y, y_pred, sample_weight=sample_weight)
        value = float(value) * self.loss_weight + activity_loss + self._regularization()
        return value, y_pred

    def _update_metrics(self, state, y, y_pred, sample_weight):
        for m in state.metrics:
            m.update_state(y, y_pred)
        for m in state.weighted_metrics:
            m.update_state(y, y_pred, sample_weight=sample_weight)

    def _reset_metrics(self, state):
        state.loss_total = 0.0
        state.loss_count = 0
        for m in state.metrics + state.weighted_metrics:
            m.reset_state()

    def _logs(self, state):
        logs = {"loss": state.loss_total / max(state.loss_count, 1)}
        for m in state.metrics + state.weighted_metrics:
            value = m.result()
            logs[m.name] = float(value) if np.ndim(value) == 0 else np.asarray(value)
        return dict(sorted(logs.items()))

    # -------------------------------------------------------------- data prep
    def _check_input_shape(self, x, name):
        expected = getattr(self, "input_shape", None)
        if expected is None:
            return
        if len(expected) != x.ndim or any(
            e is not None and e != d
            for e, d in zip(expected[1:], x.shape[1:], strict=False)
        ):
            raise ValueError(
                f"Input {name} has shape {x.shape[1:]} per sample, but the model "
                f"expects {tuple(expected[1:])} (input_shape={tuple(expected)})."
            )

    def _prepare_xy(
        self, x, y, sample_weight, class_weight=None, names=("x", "y"), lazy=False
    ):
        """Checked, model-ready (x, y, sample_weight). A generator / PyDataset x
        gives (source, None, None), its first batch already checked; with lazy,
        a memmap x stays on disk (a LazyArray read per batch)."""
        if lazy and data_adapter.is_batch_source(x):
            source = data_adapter.make_source(
                x, self._prepare_xy, "train", y, sample_weight, class_weight, names[0]
            )
            return source, None, None
        x = data_adapter.to_array(x, names[0], lazy=lazy)
        y = data_adapter.to_array(y, names[1])
        data_adapter.check_lengths({names[0]: x, names[1]: y})
        data_adapter.check_finite(x, names[0])
        data_adapter.check_finite(y, names[1])
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(
                    "You cannot pass both class_weight and sample_weight at the "
                    "same time; fold the class weights into sample_weight."
                )
            sample_weight = data_adapter.class_weight_to_sample_weight(y, class_weight)
        if sample_weight is not None:
            sample_weight = data_adapter.check_sample_weight(sample_weight, len(x))
        x = data_adapter.as_floatx(x)
        state = self._prepare(x, y)
        y = _prepare_targets(y, state.loss, self.compute_output_shape(x.shape))
        return x, y, sample_weight

    # -------------------------------------------------------------------- fit
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        """Train for `epochs` epochs (Keras semantics; see KERAS_REFERENCE §8.3)."""
        self._assert_compiled()
        _check_verbose(verbose)
        epochs = _positive_int(epochs, "epochs", allow_zero=True)
        if validation_data is None and validation_split:
            if data_adapter.is_batch_source(x):
                raise ValueError(
                    "validation_split is only supported for array inputs; x is a "
                    f"{type(x).__name__}. Pass validation_data=... instead."
                )
            arrays = (
                data_adapter.to_array(x, "x", lazy=True),
                data_adapter.to_array(y, "y"),
                None
                if sample_weight is None
                else data_adapter.to_array(sample_weight, "sample_weight"),
            )
            data_adapter.check_lengths({"x": arrays[0], "y": arrays[1]})
            (x, y, sample_weight), val = data_adapter.split_validation(
                arrays, validation_split
            )
            validation_data = val if val[2] is not None else val[:2]
        x, y, sample_weight = self._prepare_xy(
            x, y, sample_weight, class_weight, lazy=True
        )
        if validation_data is not None:
            if data_adapter.is_batch_source(validation_data):
                vx, vy, vsw = validation_data, None, None
            else:
                vx, vy, vsw = data_adapter.unpack_validation_data(validation_data)
            vx, vy, vsw = self._prepare_xy(
                vx,
                vy,
                vsw,
                names=("validation_data x", "validation_data y"),
                lazy=True,
            )
        if isinstance(x, data_adapter.BatchSource):  # a generator or PyDataset
            if batch_size is not None:
                raise ValueError(
                    f"batch_size must not be given when x is a {x.what} (it "
                    f"yields whole batches); received batch_size={batch_size!r}."
                )
            x.shuffle = shuffle
            batches = x
            steps = x.steps(
                _positive_int(steps_per_epoch, "steps_per_epoch")
                if steps_per_epoch
                else None
            )
            batch_size = 32  # for array validation_data
            callbacks = data_adapter.with_source_hooks(
                callbacks, x, vx if validation_data is not None else None
            )
        else:
            n = len(x)
            if batch_size is None:
                batch_size = math.ceil(n / steps_per_epoch) if steps_per_epoch else 32
            batch_size = _positive_int(batch_size, "batch_size")
            batches = data_adapter.BatchIterator(
                (x, y, sample_weight), batch_size, shuffle
            )
            steps = (
                _positive_int(steps_per_epoch, "steps_per_epoch")
                if steps_per_epoch
                else batches.steps_per_pass
            )
            if validation_data is not None:
                callbacks = data_adapter.with_source_hooks(callbacks, None, vx)
        history = History()
        cbs = self._callback_list(
            callbacks, history, verbose, epochs=epochs, steps=steps
        )
        validation = None
        if validation_data is not None:
            validation = (
                vx,
                vy,
                vsw,
                validation_batch_size or batch_size,
                validation_steps,
                validation_freq,
            )
        tuner = blas_threads.EpochTuner()
        try:
            self._train_epochs(
                cbs,
                batches,
                steps,
                steps_per_epoch is None,
                initial_epoch,
                epochs,
                validation,
                tuner,
            )
        finally:
            tuner.restore()
        return history

    def _train_epochs(
        self,
        cbs,
        batches,
        steps,
        new_pass_each_epoch,
        initial_epoch,
        epochs,
        validation,
        tuner,
    ):
        """The epoch/batch loop of fit, with Keras's callback order."""
        state = self._state
        self.stop_training = False
        cbs.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch
        epoch_logs = {}
        batch_end = cbs.wants("on_train_batch_end")
        batch_begin = cbs.wants("on_train_batch_begin")
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics(state)
            cbs.on_epoch_begin(epoch)
            if new_pass_each_epoch:
                batches.new_pass()
            tuner.start_epoch(steps)
            for step in data_adapter.epoch_steps(steps, batches):
                if batch_begin:
                    cbs.on_train_batch_begin(step)
                probing = tuner.probing
                if probing:
                    tuner.before_step(step)
                xb, yb, swb = batches.next_batch()
                value, y_pred = self._train_step(state, xb, yb, swb)
                if probing:
                    tuner.after_step(step)
                state.loss_total += value * len(xb)
                state.loss_count += len(xb)
                self._update_metrics(state, yb, y_pred, swb)
                if batch_end:
                    cbs.on_train_batch_end(step, self._logs(state))
                if self.stop_training:
                    break
            epoch_logs = self._logs(state)
            if validation is not None and _validate_now(validation[-1], epoch):
                val_logs = self._evaluate_arrays(*validation[:5], cbs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(epoch_logs)

    def _callback_list(self, callbacks, history, verbose, **params):
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            callbacks = [callbacks]
        callbacks = list(callbacks or [])
        if history is not None and not any(isinstance(c, History) for c in callbacks):
            callbacks.append(history)
        if verbose and not any(isinstance(c, ProgbarLogger) for c in callbacks):
            callbacks.append(ProgbarLogger())
        for cb in callbacks:
            if isinstance(cb, History):
                self.history = cb
        return CallbackList(callbacks, model=self, verbose=verbose, **params)

    # --------------------------------------------------------------- evaluate
    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
    ):
        """Loss and metrics on (x, y): a float, a list [loss, metrics...], or a
        dict with return_dict=True."""
        self._assert_compiled()
        _check_verbose(verbose)
        x, y, sample_weight = self._prepare_xy(x, y, sample_weight, lazy=True)
        if steps is not None:
            steps = _positive_int(steps, "steps")
        if isinstance(x, data_adapter.BatchSource):  # a generator or PyDataset
            steps = n_steps = x.steps(steps)
        else:
            batch_size = _positive_int(batch_size or 32, "batch_size")
            n_steps = math.ceil(len(x) / batch_size) if steps is None else steps
        cbs = self._callback_list(callbacks, None, verbose, epochs=1, steps=n_steps)
        try:
            logs = self._evaluate_arrays(x, y, sample_weight, batch_size, steps, cbs)
        finally:
            if isinstance(x, data_adapter.BatchSource):
                x.close()
        if return_dict:
            return logs
        names = self.metrics_names
        if len(names) == 1:
            return logs["loss"]
        return [logs[name] for name in names]

    def _evaluate_arrays(self, x, y, sample_weight, batch_size, steps, cbs):
        state = self._state
        self._reset_metrics(state)
        cbs.on_test_begin()
        batch_end = cbs.wants("on_test_batch_end")
        if steps is not None:
            steps = _positive_int(steps, "steps")
        batches = data_adapter.test_batches(x, y, sample_weight, batch_size, steps)
        for step, (xb, yb, swb) in enumerate(batches):
            cbs.on_test_batch_begin(step)
            value, y_pred = self._test_step(state, xb, yb, swb)
            state.loss_total += value * len(xb)
            state.loss_count += len(xb)
            self._update_metrics(state, yb, y_pred, swb)
            if batch_end:
                cbs.on_test_batch_end(step, self._logs(state))
        logs = self._logs(state)
        cbs.on_test_end(logs)
        return logs

    # ---------------------------------------------------------------- predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for x in batches (default 32), as one NumPy array."""
        _check_verbose(verbose)
        if steps is not None:
            steps = _positive_int(steps, "steps")
        if data_adapter.is_batch_source(x):  # a generator or PyDataset
            return self._predict_source(x, verbose, steps, callbacks)
        # No NaN/inf scan here: a NaN input gives a visibly NaN output (nothing
        # is trained on it), and the scan would cost ~10% of predict's time.
        x = self._prepare_x(x, "x", lazy=True, check_finite=False)
        batch_size = _positive_int(batch_size or 32, "batch_size")
        slices = data_adapter.batch_slices(len(x), batch_size)
        if steps is not None:
            slices = slices[: _positive_int(steps, "steps")]
        cbs = self._callback_list(callbacks, None, verbose, epochs=1, steps=len(slices))
        n = slices[-1][1] if slices else 0
        out = np.empty(self.compute_output_shape((n,) + x.shape[1:]), x.dtype)
        cbs.on_predict_begin()
        for step, (start, stop) in enumerate(slices):
            cbs.on_predict_batch_begin(step)
            out[start:stop] = self._forward(x[start:stop], training=False)[0]
            cbs.on_predict_batch_end(step, {"outputs": out[start:stop]})
        cbs.on_predict_end()
        return out

    def _prepare_x(self, x, name, lazy=False, check_finite=True):
        """Inputs checked and cast to floatx, the model built for them."""
        x = data_adapter.as_floatx(data_adapter.to_array(x, name, lazy=lazy))
        if check_finite:
            data_adapter.check_finite(x, name)
        if not self.built:
            self.build((None,) + tuple(x.shape[1:]))
        self._check_input_shape(x, name)
        return x

    def _predict_source(self, x, verbose, steps, callbacks):
        """predict() on a generator / PyDataset: outputs of each batch, joined."""
        source = data_adapter.make_source(x, self._prepare_x, "predict")
        steps = source.steps(steps)
        cbs = self._callback_list(callbacks, None, verbose, epochs=1, steps=steps)
        outputs = []
        cbs.on_predict_begin()
        source.new_pass()
        try:
            for step in data_adapter.epoch_steps(steps, source):
                cbs.on_predict_batch_begin(step)
                y_pred = self._forward(source.next_batch(), training=False)[0]
                outputs.append(np.array(y_pred, copy=True))
                cbs.on_predict_batch_end(step, {"outputs": outputs[-1]})
        finally:
            source.close()
        cbs.on_predict_end()
        return np.concatenate(outputs)

    def __call__(self, x, training=False):
        x = data_adapter.as_floatx(data_adapter.to_array(x, "x"))
        if not self.built:
            self.build((None,) + tuple(x.shape[1:]))
        return self._forward(x, training=training)[0]

    # -------------------------------------------------------------- on_batch
    def train_on_batch(
        self, x, y=None, sample_weight=None, class_weight=None, return_dict=False
    ):
        """One update on one batch; returns its loss (and metrics)."""
        self._assert_compiled()
        x, y, sample_weight = self._prepare_xy(x, y, sample_weight, class_weight)
        state = self._state
        self._reset_metrics(state)
        value, y_pred = self._train_step(state, x, y, sample_weight)
        state.loss_total, state.loss_count = value * len(x), len(x)
        self._update_metrics(state, y, y_pred, sample_weight)
        return self._batch_result(state, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled()
        x, y, sample_weight = self._prepare_xy(x, y, sample_weight)
        state = self._state
        self._reset_metrics(state)
        value, y_pred = self._test_step(state, x, y, sample_weight)
        state.loss_total, state.loss_count = value * len(x), len(x)
        self._update_metrics(state, y, y_pred, sample_weight)
        return self._batch_result(state, return_dict)

    def predict_on_batch(self, x):
        return self(x, training=False)

    def _batch_result(self, state, return_dict):
        logs = self._logs(state)
        if return_dict:
            return logs
        names = self.metrics_names
        return logs["loss"] if len(names) == 1 else [logs[k] for k in names]

    # ---------------------------------------------------------------- weights
    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Copy a Keras-ordered weight list into the model (checked first)."""
        weights = list(weights)
        expected = sum(len(layer.weight_names) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(
                f"You called set_weights(weights) on model {self.name!r} with a "
                f"weight list of length {len(weights)}, but the model was "
                f"expecting {expected} weights."
            )
        arrays = [np.asarray(w) for w in weights]
        slots = [(layer, name) for layer in self.layers for name in layer.weight_names]
        for (layer, name), value in zip(slots, arrays, strict=True):
            if value.shape != layer.params[name].shape:
                raise ValueError(
                    f"Layer {layer.name!r} weight {name!r} has shape "
                    f"{layer.params[name].shape}, received {value.shape}."
                )
        for (layer, name), value in zip(slots, arrays, strict=True):
            np.copyto(layer.params[name], value, casting="unsafe")

    # ----------------------------------------------------------------- saving
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save architecture, weights and optimizer state: `.keras` (Keras 3's
        zip) or legacy `.h5`/`.hdf5`."""
        from ..saving import saving_api

        saving_api.save_model(
            self, filepath, overwrite=overwrite, zipped=zipped, **kwargs
        )

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save the weights: `.weights.h5` (Keras 3) or legacy `.h5`/`.hdf5`."""
        from ..saving import saving_api

        saving_api.save_weights(
            self, filepath, overwrite=overwrite, max_shard_size=max_shard_size
        )

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights from `.weights.h5`, `.keras` or legacy `.h5` files."""
        from ..saving import saving_api

        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def get_compile_config(self):
        """The arguments compile() was called with (None before compile)."""
        return self._compile_config

    def count_params(self):
        if not self.built:
            raise ValueError(
                "You tried to call count_params() on a model that has not been "
                "built. Build it first (model.build(input_shape)) or call it on data."
            )
        return int(sum(layer.count_params() for layer in self.layers))


class _TrainState:
    """What a compiled model needs to train, resolved from the first data."""

    def __init__(self, layers, loss, head, metrics, weighted_metrics):
        self.layers = layers
        self.layers_key = tuple(id(layer) for layer in layers)
        self.loss = loss
        self.head = head
        self.metrics = metrics
        self.weighted_metrics = weighted_metrics
        self.loss_total = 0.0
        self.loss_count = 0


def _get_loss(loss):
    if isinstance(loss, str) and loss in ("crossentropy", "ce"):
        return loss  # resolved from the data's shapes in _prepare
    return losses.get(loss)


def _crossentropy_name(y, y_pred):
    if y_pred.shape[-1] == 1:
        return "binary_crossentropy"
    if y.ndim < y_pred.ndim or (y.shape[-1] == 1 and y_pred.shape[-1] > 1):
        return "sparse_categorical_crossentropy"
    return "categorical_crossentropy"


def _metric_list(value, argument):
    if value is None:
        return []
    if isinstance(value, str):  # tf.keras 2 accepted metrics='accuracy'
        return [value]
    if isinstance(value, dict):
        values = list(value.values())
        return [m for v in values for m in (v if isinstance(v, (list, tuple)) else [v])]
    if isinstance(value, (list, tuple)):
        return list(value)
    if callable(value):
        return [value]
    raise ValueError(
        f"Expected {argument} argument to be a list, tuple, or dict. "
        f"Received instead: {argument}={value!r} of type {type(value)}"
    )


def _weighted_name(metric, unweighted_ids):
    """A metric in both lists gets the name weighted_<name> (Keras)."""
    names = {
        m if isinstance(m, str) else getattr(m, "name", None) for m in unweighted_ids
    }
    if metric.name in names:
        metric.name = "weighted_" + metric.name
    return metric


def _prepare_targets(y, loss, y_pred_shape):
    """Sparse labels stay integers (checked against the number of classes);
    every other target is cast to floatx once."""
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
            raise ValueError(
                "Sparse categorical crossentropy needs integer class labels, "
                "received non-integer values in y."
            )
        labels = y.astype(np.intp)
        classes = y_pred_shape[-1]
        bad = (labels < 0) | (labels >= classes)
        ignore = getattr(loss, "ignore_class", None)
        if ignore is not None:
            bad &= labels != ignore
        if bad.any():
            value = labels[bad].flat[0]
            raise ValueError(
                f"Received a label value of {value} which is outside the valid "
                f"range of [0, {classes - 1}] for the model's {classes} outputs "
                f"({int(bad.sum())} labels out of range). Check y or the number "
                "of units of the last layer."
            )
        return labels
    return data_adapter.as_floatx(y)


def _check_verbose(verbose):
    if verbose not in _VERBOSE:
        raise ValueError(
            f"Invalid value for argument verbose: expected one of {_VERBOSE}, "
            f"received verbose={verbose!r}."
        )


def _positive_int(value, argument, allow_zero=False):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < (0 if allow_zero else 1)
    ):
        kind = "a non-negative" if allow_zero else "a positive"
        raise ValueError(
            f"Invalid value for argument {argument}: expected {kind} integer, "
            f"received {argument}={value!r}."
        )
    return int(value)


def _validate_now(validation_freq, epoch):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq
