"""Multi-label classification: several yes/no answers per image, with sigmoids.

The claim: when an example can have several labels at once, the output
layer needs one independent sigmoid per label (not a softmax, whose outputs
compete and sum to 1), trained with binary crossentropy:

    p_k = σ(z_k) = 1 / (1 + exp(-z_k))           for each label k
    L   = -mean_k [ t_k log p_k + (1 - t_k) log(1 - p_k) ]

and each label is predicted "yes" when p_k > 0.5.

The task: four properties of an MNIST digit, any number of them true at once:
"odd" (1 3 5 7 9), "prime" (2 3 5 7), "at least 5" (5-9) and "has a closed
loop" (0 6 8 9). A 7 is odd, prime and at least 5; an 8 is at least 5 and
loopy; a 4 is none of them. The script trains a 784-128-4 network on the MNIST
subset shipped with numkeras, prints each label's test accuracy and a few
predictions, and draws

    multi_label.png   loss and binary accuracy, training vs validation

Run:  python examples/multi_label.py [--output DIR] [--quick]
"""

from pathlib import Path

import numpy as np
from _common import parse_args

import numkeras as keras
from numkeras.utils import plotting

LABELS = {
    "odd": (1, 3, 5, 7, 9),
    "prime": (2, 3, 5, 7),
    "at least 5": (5, 6, 7, 8, 9),
    "has a loop": (0, 6, 8, 9),
}


def multi_hot(digits):
    """(n,) digits -> (n, 4) 0/1 targets, one column per property."""
    return np.stack(
        [np.isin(digits, members) for members in LABELS.values()], axis=1
    ).astype("float32")


def main():
    args = parse_args(__doc__)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    n_train, epochs = (2000, 3) if args.quick else (6000, 10)

    (x_train, d_train), (x_test, d_test) = keras.datasets.mnist_mini.load_data()
    x_train = x_train[:n_train].reshape(-1, 784).astype("float32") / 255
    t_train = multi_hot(d_train[:n_train])
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    t_test = multi_hot(d_test)

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(len(LABELS), activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"]
    )
    history = model.fit(
        x_train,
        t_train,
        epochs=epochs,
        batch_size=32,
        verbose=0,
        validation_data=(x_test, t_test),
    )

    p = model.predict(x_test, verbose=0)
    predicted = p > 0.5
    truth = t_test > 0.5
    print(
        f"MNIST subset, {n_train} training images, {epochs} epochs, "
        f"{len(LABELS)} sigmoid outputs with binary crossentropy\n"
    )
    print(
        f"{'label':<12}{'positives':>10}{'accuracy':>10}{'precision':>11}{'recall':>8}"
    )
    for k, name in enumerate(LABELS):
        tp = np.sum(predicted[:, k] & truth[:, k])
        precision = tp / max(np.sum(predicted[:, k]), 1)
        recall = tp / max(np.sum(truth[:, k]), 1)
        accuracy = np.mean(predicted[:, k] == truth[:, k])
        print(
            f"{name:<12}{truth[:, k].mean():>10.1%}{accuracy:>10.3f}"
            f"{precision:>11.3f}{recall:>8.3f}"
        )
    exact = np.mean(np.all(predicted == truth, axis=1))
    print(f"\nall four labels right (exact match): {exact:.3f}")
    print(
        f"mean number of labels per image: true {truth.sum(1).mean():.2f}, "
        f"predicted {predicted.sum(1).mean():.2f}"
    )
    print(
        "sigmoid outputs do not sum to 1: sums on the first test images "
        f"{[round(float(s), 2) for s in p[:5].sum(axis=1)]}\n"
    )
    for i in range(5):
        said = [name for k, name in enumerate(LABELS) if predicted[i, k]] or ["none"]
        scores = ", ".join(f"{name} {p[i, k]:.2f}" for k, name in enumerate(LABELS))
        print(f"digit {d_test[i]}: predicted {', '.join(said):<32} ({scores})")

    plt = plotting.require_matplotlib()
    plt.close(
        plotting.plot_history(
            history,
            out / "multi_label.png",
            title="Multi-label MNIST: 4 sigmoid outputs, binary crossentropy",
        )
    )
    print(f"\nwrote {out / 'multi_label.png'}")


if __name__ == "__main__":
    main()
