"""Overfitting and its cures: nothing vs L2 vs Dropout vs EarlyStopping.

The claim: a big network trained on few examples memorizes them. The
training loss keeps falling while the validation loss turns around and
climbs: the gap between them is overfitting. Three cures:

- L2 weight decay adds λ Σ w² to the loss (gradient 2 λ w), pulling every
  weight towards 0, so the network cannot use huge weights to fit noise;
- Dropout zeroes each hidden unit with probability p during training (and
  scales the rest by 1 / (1 - p)), so no unit can rely on another;
- EarlyStopping watches val_loss and stops when it has not improved for
  `patience` epochs, restoring the best weights.

This script trains the same 784-256-256-10 ReLU network on 1,000
Fashion-MNIST images (validated on 2,000 others) four ways, prints the final
and best numbers of each, and draws:

    overfitting.png      training (solid) and validation (dashed) loss and
                         accuracy of the four runs, on one plot
    early_stopping.png   the EarlyStopping run, with its best and stop epochs

Run:  python examples/overfitting.py [--output DIR] [--quick]
"""

import time
from pathlib import Path

import numpy as np
from _common import parse_args

import numkeras as keras
from numkeras.utils import plotting


def make_model(l2=0.0, dropout=0.0):
    """784-256-256-10 with ReLU; optional L2 on the kernels and Dropout."""
    regularizer = keras.regularizers.L2(l2) if l2 else None
    layers = [keras.Input((784,))]
    for _ in range(2):
        layers.append(
            keras.layers.Dense(256, activation="relu", kernel_regularizer=regularizer)
        )
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def main():
    args = parse_args(__doc__)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    n_train, n_val, epochs = (500, 500, 8) if args.quick else (1000, 2000, 20)

    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    x_train = x_train[:n_train].reshape(-1, 784).astype("float32") / 255
    y_train = y_train[:n_train]
    x_val = x_test[:n_val].reshape(-1, 784).astype("float32") / 255
    y_val = y_test[:n_val]

    runs = {
        "no regularization": (make_model, {}, []),
        "L2 (λ = 3e-3)": (make_model, {"l2": 3e-3}, []),
        "Dropout (p = 0.5)": (make_model, {"dropout": 0.5}, []),
        "EarlyStopping (patience 3)": (
            make_model,
            {},
            [
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=3, restore_best_weights=True
                )
            ],
        ),
    }
    crossentropy = keras.losses.SparseCategoricalCrossentropy()
    histories = {}
    print(
        f"Fashion-MNIST, {n_train} training / {n_val} validation images, "
        f"up to {epochs} epochs of Adam(1e-3), batch 32"
    )
    print("losses below: crossentropy of the final weights, without the L2 penalty\n")
    print(
        f"{'run':<28}{'epochs':>7}{'train loss':>11}{'val loss':>10}"
        f"{'gap':>8}{'val acc':>9}{'best val acc':>14}{'time':>7}"
    )
    for label, (build, options, callbacks) in runs.items():
        keras.utils.set_random_seed(0)
        model = build(**options)
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        start = time.perf_counter()
        history = model.fit(
            x_train,
            y_train,
            epochs=epochs,
            batch_size=32,
            verbose=0,
            validation_data=(x_val, y_val),
            callbacks=callbacks,
        )
        seconds = time.perf_counter() - start
        histories[label] = history
        logs = history.history
        # The crossentropy alone (Keras's loss also counts the L2 penalty) of
        # the weights the run ends with (EarlyStopping restores the best).
        train_loss = crossentropy(y_train, model.predict(x_train, verbose=0))
        val_loss = crossentropy(y_val, model.predict(x_val, verbose=0))
        val_acc = model.evaluate(x_val, y_val, verbose=0)[1]
        print(
            f"{label:<28}{len(logs['loss']):>7}{train_loss:>11.3f}{val_loss:>10.3f}"
            f"{val_loss - train_loss:>8.3f}{val_acc:>9.3f}"
            f"{max(logs['val_accuracy']):>14.3f}{seconds:>6.1f}s"
        )

    early = runs["EarlyStopping (patience 3)"][2][0]
    print(
        f"\nEarlyStopping: best epoch {early.best_epoch + 1}, "
        f"stopped after epoch {early.stopped_epoch + 1 if early.stopped_epoch else '-'}"
    )
    plain = histories["no regularization"].history["val_loss"]
    print(
        f"Without regularization the validation loss bottoms out at epoch "
        f"{int(np.argmin(plain)) + 1} ({min(plain):.3f}) and ends at {plain[-1]:.3f}."
    )

    plt = plotting.require_matplotlib()
    plt.close(
        plotting.plot_comparison(
            histories,
            keys=("loss", "accuracy"),
            path=out / "overfitting.png",
            title=f"Fashion-MNIST, {n_train} training images: solid = training, "
            "dashed = validation (the L2 loss includes its penalty)",
        )
    )
    plt.close(
        plotting.plot_history(
            histories["EarlyStopping (patience 3)"],
            out / "early_stopping.png",
            early_stopping=early,
            title="EarlyStopping(monitor='val_loss', patience=3, "
            "restore_best_weights=True)",
        )
    )
    print(f"\nwrote {out / 'overfitting.png'} and {out / 'early_stopping.png'}")


if __name__ == "__main__":
    main()
