"""AdamW: Adam with decoupled weight decay (default 0.004)."""

from .adam import Adam


class AdamW(Adam):
    """Adam plus the base class's decoupled weight decay, as in Keras 3.

    Update rule: w <- w - w * weight_decay * lr (before the step, current lr),
    then the Adam step. `weight_decay=None` raises ValueError.
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        name=None,
        **kwargs,
    ):
        if weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None"
            )
        super().__init__(
            learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            name=name,
            **kwargs,
        )
