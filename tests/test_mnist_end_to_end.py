"""The tutorial MNIST model on the real MNIST (../shared/datasets)."""

import os
import time

import pytest

import numkeras as keras
from numkeras.layers import Dense, Flatten

needs_real_mnist = pytest.mark.skipif(
    not os.path.isdir(os.path.join(os.environ.get("NUMKERAS_DATASETS", ""), "mnist")),
    reason="the real MNIST IDX files are not in $NUMKERAS_DATASETS",
)


@needs_real_mnist
def test_tutorial_mnist_model_reaches_97_percent_in_5_epochs(capsys):
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train, x_test = x_train / 255.0, x_test / 255.0
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            Flatten(input_shape=(28, 28)),
            Dense(100, activation="relu"),
            Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=5, verbose=2)
    seconds_per_epoch = (time.perf_counter() - start) / 5
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    with capsys.disabled():
        print(
            f"\nMNIST tutorial model: test accuracy {accuracy:.4f}, "
            f"{seconds_per_epoch:.2f} s/epoch"
        )
    assert accuracy >= 0.97
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]
    assert len(history.history["loss"]) == 5
