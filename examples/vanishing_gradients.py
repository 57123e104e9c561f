"""Vanishing gradients: 10 sigmoid layers vs 10 ReLU layers on MNIST.

The claim (every deep-learning course makes it): in a deep stack of sigmoid
layers the gradient shrinks on its way back to the input, because each layer
multiplies it by σ'(z) = σ(z)(1 - σ(z)) <= 0.25 (and by a Glorot-sized weight
matrix), so the first layers barely learn. ReLU (derivative 1 where active)
with He initialization (weights scaled by sqrt(2 / fan_in)) keeps the
gradient's size from layer to layer.

This script trains both networks with the same optimizer (plain SGD) on the
MNIST subset shipped with numkeras, watches them with GradientMonitor, prints
its per-layer table and the ratio of the first layer's gradient norm to the
last one's, and draws:

    vanishing_gradients.png   gradient norm by layer, and over the epochs
    activations.png           each activation and its derivative

Run:  python examples/vanishing_gradients.py [--output DIR] [--quick]
"""

import time
import warnings
from pathlib import Path

from _common import parse_args

import numkeras as keras
from numkeras.utils import plotting


def deep_model(activation, initializer, depth=10, width=64):
    """`depth` hidden Dense layers of `width` units, then a softmax."""
    return keras.Sequential(
        [keras.Input((784,))]
        + [
            keras.layers.Dense(
                width, activation=activation, kernel_initializer=initializer
            )
            for _ in range(depth)
        ]
        + [keras.layers.Dense(10, activation="softmax")]
    )


def main():
    args = parse_args(__doc__)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    n_train, epochs = (2000, 2) if args.quick else (6000, 4)

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist_mini.load_data()
    x_train = x_train[:n_train].reshape(-1, 784).astype("float32") / 255
    y_train = y_train[:n_train]
    x_test = x_test.reshape(-1, 784).astype("float32") / 255

    monitors = {}
    for label, activation, initializer in [
        ("sigmoid + Glorot", "sigmoid", "glorot_uniform"),
        ("ReLU + He", "relu", "he_normal"),
    ]:
        keras.utils.set_random_seed(0)
        model = deep_model(activation, initializer)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=0.1),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        monitor = keras.callbacks.GradientMonitor()
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(
                x_train,
                y_train,
                epochs=epochs,
                batch_size=64,
                verbose=0,
                callbacks=[monitor],
            )
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(x_test, y_test, verbose=0)
        monitors[label] = monitor
        print(
            f"\n=== {label}: 10 hidden layers, {epochs} epochs of SGD(0.1), "
            f"{seconds:.1f} s"
        )
        print(monitor.summary())
        print(f"warnings issued: {len(caught)}")
        print(f"test accuracy: {accuracy:.3f}")

    print("\nKey numbers: gradient norm of the first layer / the last layer")
    for label, monitor in monitors.items():
        first_epoch = monitor.gradient_ratio(epoch=0)
        print(
            f"  {label:<18} epoch 1: {first_epoch:.2e}   "
            f"last epoch: {monitor.gradient_ratio():.2e}"
        )

    plt = plotting.require_matplotlib()
    plt.close(
        plotting.plot_gradients(
            monitors,
            out / "vanishing_gradients.png",
            title="10 sigmoid layers vs 10 ReLU layers on MNIST (SGD)",
        )
    )
    plt.close(plotting.plot_activations(path=out / "activations.png"))
    print(f"\nwrote {out / 'vanishing_gradients.png'} and {out / 'activations.png'}")


if __name__ == "__main__":
    main()
