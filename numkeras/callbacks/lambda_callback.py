"""LambdaCallback: a callback made of plain functions."""

from .callback import Callback

_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


def _marker(name):
    def hook(self, *args, **kwargs):  # replaced by the instance attribute
        return self.__dict__[name](*args, **kwargs)

    hook.__name__ = name
    return hook


class LambdaCallback(Callback):
    """`LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`.

    Named hooks (`on_epoch_begin`, `on_epoch_end`, `on_train_begin`,
    `on_train_end`, `on_train_batch_begin`, `on_train_batch_end`) and any
    extra keyword (e.g. `on_test_end=...`) become attributes, as in Keras.
    Only the hooks given are dispatched (no per-batch cost otherwise).
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        given = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        self.__dict__.update(kwargs)
        hooks = {}
        for name, fn in list(given.items()) + list(kwargs.items()):
            if fn is not None and name in _HOOKS:
                setattr(self, name, fn)
                hooks[name] = _marker(name)
        if hooks:
            # a per-instance subclass, so CallbackList sees which hooks are set
            self.__class__ = type("LambdaCallback", (LambdaCallback,), hooks)
