"""The `numkeras` command: `numkeras demo` trains the tutorial MNIST model."""

import argparse
import os
import sys
import time

DATASETS = ("mnist_mini", "mnist", "fashion_mnist", "cifar10", "cifar100")
OPTIMIZERS = ("adam", "sgd", "rmsprop", "adagrad", "adamw", "nadam", "adamax")


def build_parser():
    parser = argparse.ArgumentParser(prog="numkeras", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="train the tutorial model (Flatten, Dense(100, relu), Dense(softmax), "
        "adam) offline on the bundled MNIST subset",
    )
    demo.add_argument("--dataset", choices=DATASETS, default="mnist_mini")
    demo.add_argument("--epochs", type=int, default=5)
    demo.add_argument("--batch-size", type=int, default=32)
    demo.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    demo.add_argument(
        "--output",
        default="numkeras_demo",
        help="folder for the saved model and the training-curve PNG",
    )
    demo.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1)
    return parser


def load(name):
    from . import datasets

    module = getattr(datasets, name)
    return module.load_data()


def run_demo(args):
    import numkeras as keras

    start = time.perf_counter()
    print(
        f"numkeras {keras.__version__} demo: dataset={args.dataset}, "
        f"epochs={args.epochs}, batch_size={args.batch_size}, "
        f"optimizer={args.optimizer}"
    )
    (x_train, y_train), (x_test, y_test) = load(args.dataset)
    x_train = x_train.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0
    classes = int(max(y_train.max(), y_test.max())) + 1
    print(f"train {x_train.shape}, test {x_test.shape}, {classes} classes")
    keras.utils.set_random_seed(42)
    model = keras.Sequential(
        [
            keras.Input(shape=x_train.shape[1:]),
            keras.layers.Flatten(),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(classes, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=args.optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()
    history = model.fit(
        x_train,
        y_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        validation_split=0.1,
        verbose=args.verbose,
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f} (test loss {loss:.4f})")
    os.makedirs(args.output, exist_ok=True)
    model_path = os.path.join(args.output, f"{args.dataset}.keras")
    model.save(model_path)
    print(
        f"saved the model to {model_path} (load it with "
        "numkeras.models.load_model or keras.models.load_model)"
    )
    try:
        from .utils.plotting import plot_history

        png = os.path.join(args.output, f"{args.dataset}_history.png")
        plot_history(history, png, title=f"numkeras demo: {args.dataset}")
        print(f"saved the training curves to {png}")
    except ImportError:
        print(
            "training curves: install matplotlib to get a PNG "
            "(pip install 'numkeras[plot]')"
        )
    print(f"done in {time.perf_counter() - start:.1f} s")
    return accuracy


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        run_demo(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
