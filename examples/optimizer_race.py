"""Optimizer race: SGD, momentum, Nesterov, Adagrad, RMSprop and Adam.

The claim: on the same network, from the same initial weights, on the same
data in the same order, adaptive and momentum methods get the loss down in
far fewer epochs than plain SGD. The update rules (g = dL/dW, lr = η):

    SGD        W -= η g
    momentum   v = μ v - η g;  W += v                      (μ = 0.9)
    Nesterov   v = μ v - η g;  W += μ v - η g              (look-ahead)
    Adagrad    G += g²;  W -= η g / (sqrt(G) + ε)           (per-weight rate)
    RMSprop    s = ρ s + (1 - ρ) g²;  W -= η g / (sqrt(s) + ε)
    Adam       m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²;
               W -= η m̂ / (sqrt(v̂) + ε)   (m̂, v̂ bias-corrected)

This script trains a 784-128-10 ReLU network on the MNIST subset shipped
with numkeras with each optimizer (their usual learning rates), prints the
loss after each epoch and the final test accuracy, and draws

    optimizer_race.png   training loss per epoch, one line per optimizer

Run:  python examples/optimizer_race.py [--output DIR] [--quick]
"""

import time
from pathlib import Path

from _common import parse_args

import numkeras as keras
from numkeras.utils import plotting


def optimizers():
    """A fresh optimizer per run (they keep state), at common learning rates."""
    return {
        "SGD (0.01)": keras.optimizers.SGD(0.01),
        "momentum (0.01, 0.9)": keras.optimizers.SGD(0.01, momentum=0.9),
        "Nesterov (0.01, 0.9)": keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
        "Adagrad (0.01)": keras.optimizers.Adagrad(0.01),
        "RMSprop (0.001)": keras.optimizers.RMSprop(0.001),
        "Adam (0.001)": keras.optimizers.Adam(0.001),
    }


def main():
    args = parse_args(__doc__)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    n_train, epochs = (2000, 3) if args.quick else (6000, 8)

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist_mini.load_data()
    x_train = x_train[:n_train].reshape(-1, 784).astype("float32") / 255
    y_train = y_train[:n_train]
    x_test = x_test.reshape(-1, 784).astype("float32") / 255

    keras.utils.set_random_seed(0)
    template = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    initial_weights = template.get_weights()

    histories = {}
    print(
        f"MNIST subset, {n_train} images, {epochs} epochs, batch 64, same "
        "initial weights and batch order for every optimizer\n"
    )
    print(
        f"{'optimizer':<22}"
        + "".join(f"{'ep ' + str(e + 1):>8}" for e in range(epochs))
        + f"{'test acc':>10}{'time':>7}"
    )
    for label, optimizer in optimizers().items():
        model = keras.Sequential.from_config(template.get_config())
        model.set_weights(initial_weights)
        model.compile(
            optimizer=optimizer,
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        keras.utils.set_random_seed(1)  # the same shuffling for every run
        start = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
        seconds = time.perf_counter() - start
        histories[label] = history
        _, accuracy = model.evaluate(x_test, y_test, verbose=0)
        losses = "".join(f"{v:>8.3f}" for v in history.history["loss"])
        print(f"{label:<22}{losses}{accuracy:>10.3f}{seconds:>6.1f}s")

    final = {label: h.history["loss"][-1] for label, h in histories.items()}
    best = min(final, key=final.get)
    print(
        f"\nLowest final training loss: {best} ({final[best]:.3f}); plain SGD: "
        f"{final['SGD (0.01)']:.3f}"
    )

    plt = plotting.require_matplotlib()
    plt.close(
        plotting.plot_optimizer_comparison(
            histories,
            out / "optimizer_race.png",
            title="Optimizer race: 784-128-10 ReLU on MNIST, same start, same batches",
        )
    )
    print(f"wrote {out / 'optimizer_race.png'}")


if __name__ == "__main__":
    main()
