"""What fit / evaluate / predict accept: arrays of any numeric dtype, lists,
pandas, memmaps read lazily, generators and PyDatasets; and the errors for
everything else, raised before the first step."""

import logging
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numkeras as keras
from numkeras.callbacks import Callback
from numkeras.models import data_adapter
from numkeras.utils.py_dataset import PyDataset

N, D = 96, 5


def data(seed=0, n=N):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, D)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, y


def make_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((D,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def trained_weights(x, y=None, seed=0, **fit_kwargs):
    model = make_model(seed)
    fit_kwargs.setdefault("verbose", 0)
    model.fit(x, y, **fit_kwargs)
    return model.get_weights()


def assert_same_weights(a, b):
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


class StepCounter(Callback):
    def __init__(self):
        super().__init__()
        self.steps = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.steps += 1


# ------------------------------------------------------------------ arrays
def test_float32_arrays_take_the_fast_path_unchanged(monkeypatch):
    x, y = data()
    seen = []

    class Spy(data_adapter.BatchIterator):
        def __init__(self, arrays, batch_size, shuffle):
            seen.append(arrays)
            super().__init__(arrays, batch_size, shuffle)

    monkeypatch.setattr(data_adapter, "BatchIterator", Spy)
    make_model().fit(x, y, epochs=1, verbose=0)
    (arrays,) = seen
    assert arrays[0] is x  # no copy, no wrapper: the same array object
    assert type(arrays[0]) is np.ndarray
    assert Spy.next_batch is data_adapter.BatchIterator.next_batch


@pytest.mark.parametrize("dtype", ["uint8", "int32", "float16", "float64"])
def test_any_numeric_dtype_is_cast_once(dtype):
    x, y = data()
    xi = np.clip(np.round(x * 10 + 50), 0, 255).astype(dtype)
    reference = trained_weights(xi.astype(np.float32), y, shuffle=False)
    assert_same_weights(trained_weights(xi, y, shuffle=False), reference)


def test_python_lists():
    x, y = data(n=40)
    reference = trained_weights(x, y, shuffle=False)
    assert_same_weights(
        trained_weights(x.tolist(), y.tolist(), shuffle=False), reference
    )


def test_pandas_dataframe_and_series():
    pd = pytest.importorskip("pandas")
    x, y = data()
    frame = pd.DataFrame(x, columns=list("abcde"))
    frame["e"] = frame["e"].astype("float64")  # mixed numeric dtypes
    series = pd.Series(y, name="label")
    reference = trained_weights(x, y, shuffle=False)
    assert_same_weights(trained_weights(frame, series, shuffle=False), reference)
    model = make_model()
    model.fit(frame, series, epochs=1, verbose=0, validation_data=(frame, series))
    assert model.predict(frame, verbose=0).shape == (N, 2)
    assert np.isfinite(model.evaluate(frame, series, verbose=0)[0])


def test_pandas_non_numeric_columns_are_named():
    pd = pytest.importorskip("pandas")
    x, y = data(n=10)
    frame = pd.DataFrame(x, columns=list("abcde"))
    frame["city"] = ["Oslo"] * 10
    model = make_model()
    with pytest.raises(TypeError, match=r"DataFrame with non-numeric columns: 'city'"):
        model.fit(frame, y, verbose=0)
    with pytest.raises(TypeError, match=r"Series with non-numeric columns: 'city'"):
        model.predict(frame["city"], verbose=0)
    nullable = pd.DataFrame({"a": pd.array([1, None, 3] + [4] * 7, dtype="Int64")})
    with pytest.raises(ValueError, match="1 non-finite values"):
        model.evaluate(
            nullable.reindex(columns=list("abcde"), fill_value=0), y, verbose=0
        )
    assert model._state is None or model.optimizer.iterations == 0


def test_object_arrays_and_ragged_lists():
    x, y = data(n=10)
    model = make_model()
    objects = np.array([[1.0, "a", 2.0, 3.0, 4.0]] * 10, dtype=object)
    with pytest.raises(TypeError, match=r"dtype object .*holding Python objects"):
        model.fit(objects, y, verbose=0)
    with pytest.raises(ValueError, match="could not be turned into an array"):
        model.fit([[1.0, 2.0], [1.0]], [0, 1], verbose=0)


def test_mismatched_lengths():
    x, y = data()
    with pytest.raises(ValueError, match=r"x has 96.*y has 95"):
        make_model().fit(x, y[:-1], verbose=0)


# ------------------------------------------------------------------- memmaps
@pytest.fixture
def memmap_file(tmp_path):
    x, y = data(n=300)
    path = tmp_path / "x.npy"
    np.save(path, x.astype(np.float64))
    return np.load(path, mmap_mode="r"), x, y


def test_memmap_trains_exactly_like_the_array(memmap_file):
    mm, x, y = memmap_file
    assert isinstance(mm, np.memmap)
    for kwargs in (
        {"shuffle": True, "batch_size": 32, "epochs": 2},
        {"shuffle": False, "batch_size": 50},
        {"shuffle": "batch", "batch_size": 16},
        {"validation_split": 0.2, "batch_size": 32, "epochs": 2},
    ):
        reference = trained_weights(x.astype(np.float64), y, **kwargs)
        assert_same_weights(trained_weights(mm, y, **kwargs), reference)


def test_memmap_is_read_per_batch(memmap_file, monkeypatch):
    mm, x, y = memmap_file
    seen = []
    original = data_adapter.BatchIterator.__init__

    def spy(self, arrays, batch_size, shuffle):
        seen.append(arrays[0])
        original(self, arrays, batch_size, shuffle)

    monkeypatch.setattr(data_adapter.BatchIterator, "__init__", spy)
    model = make_model()
    model.fit(mm, y, epochs=1, verbose=0)
    assert isinstance(seen[0], data_adapter.LazyArray)  # not a float32 copy
    np.testing.assert_allclose(
        model.predict(mm, verbose=0), model.predict(x, verbose=0), rtol=1e-6
    )
    ev_mm = model.evaluate(mm, y, verbose=0)
    ev_x = model.evaluate(x.astype(np.float64), y, verbose=0)
    np.testing.assert_allclose(ev_mm, ev_x, rtol=1e-6)


def test_memmap_copy_on_write_mode_falls_back_to_the_mapping(memmap_file, tmp_path):
    _, x, y = memmap_file
    mm = np.load(tmp_path / "x.npy", mmap_mode="c")
    mm[0, 0] = 123.0  # a private change, not in the file: must be seen
    lazy = data_adapter.to_array(mm, "x", lazy=True)
    assert lazy._fd is None
    np.testing.assert_allclose(lazy[:2][0, 0], 123.0)
    batch = np.take(lazy, np.array([1, 0]), axis=0)
    np.testing.assert_allclose(batch[1, 0], 123.0)


def test_memmap_nan_is_found_chunk_by_chunk(tmp_path):
    x, y = data(n=5000)
    x[4321, 2] = np.nan
    path = tmp_path / "nan.npy"
    np.save(path, x)
    mm = np.load(path, mmap_mode="r")
    lazy = data_adapter.LazyArray(mm)
    chunks = list(lazy.chunks(nbytes=4096))
    assert len(chunks) > 20  # really read in pieces
    with pytest.raises(ValueError, match=r"1 non-finite .*index \(4321, 2\)"):
        data_adapter.check_finite(lazy, "x")
    with pytest.raises(ValueError, match=r"1 non-finite .*index \(4321, 2\)"):
        lazy.check_finite("x", chunk_bytes=4096)
    model = make_model()
    with pytest.raises(ValueError, match="non-finite"):
        model.fit(mm, y, verbose=0)


RSS_CHILD = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    import numkeras as keras

    path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x = np.load(path, mmap_mode="r")
    y = (np.arange(n) % 2).astype("float32")
    keras.utils.set_random_seed(0)
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = keras.Sequential([keras.Input((d,)), dense])
    model.compile("sgd", "binary_crossentropy")
    model.predict(np.zeros((2, d), "float32"), verbose=0)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model.fit(x, y, batch_size=512, epochs=1, verbose=0, validation_split=0.1)
    model.predict(x, verbose=0, batch_size=4096)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(before, after)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB")
def test_memmap_peak_memory_stays_far_below_the_file_size(tmp_path):
    """A 96 MiB memmap trained on (with shuffling, validation and predict):
    the process's peak RSS grows by a small fraction of the file size. (By
    hand, a 2 GiB file gives the same picture; see the issue report.)"""
    n, d = 98304, 256  # 96 MiB of float32
    path = tmp_path / "big.npy"
    header = np.lib.format
    with open(path, "wb") as f:  # written in pieces: the parent stays small too
        header.write_array_header_1_0(
            f, {"descr": "<f4", "fortran_order": False, "shape": (n, d)}
        )
        rng = np.random.default_rng(0)
        for _ in range(0, n, 8192):
            f.write(rng.standard_normal((8192, d), dtype=np.float32).tobytes())
    script = tmp_path / "child.py"
    script.write_text(RSS_CHILD)
    result = subprocess.run(
        [sys.executable, str(script), str(path), str(n), str(d)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before_kib, after_kib = map(int, result.stdout.split())
    file_mib = os.path.getsize(path) / 2**20
    growth_mib = (after_kib - before_kib) / 1024
    assert growth_mib < file_mib / 4, (growth_mib, file_mib)


# ------------------------------------------------------------------ generators
def batches_of(x, y, size, sw=None, forever=False):
    while True:
        for start in range(0, len(x), size):
            part = slice(start, start + size)
            if sw is None:
                yield x[part], y[part]
            else:
                yield x[part], y[part], sw[part]
        if not forever:
            return


def test_generator_trains_like_unshuffled_arrays():
    x, y = data()
    sw = np.linspace(0.5, 1.5, N).astype(np.float32)
    reference = trained_weights(x, y, batch_size=32, shuffle=False, epochs=3)
    got = trained_weights(
        batches_of(x, y, 32, forever=True), steps_per_epoch=3, epochs=3
    )
    assert_same_weights(got, reference)
    weighted = trained_weights(
        x, y, batch_size=32, shuffle=False, sample_weight=sw, epochs=2
    )
    got = trained_weights(
        batches_of(x, y, 32, sw=sw, forever=True), steps_per_epoch=3, epochs=2
    )
    assert_same_weights(got, weighted)


def test_generator_without_steps_runs_one_epoch_until_exhausted():
    x, y = data()
    counter = StepCounter()
    model = make_model()
    history = model.fit(batches_of(x, y, 10), callbacks=[counter], verbose=0)
    assert counter.steps == 10 and len(history.history["loss"]) == 1
    with pytest.raises(ValueError, match=r"exhausted.*only be iterated once"):
        make_model().fit(batches_of(x, y, 10), epochs=2, verbose=0)


def test_generator_running_dry_mid_epoch_is_an_error():
    x, y = data()
    model = make_model()
    with pytest.raises(
        ValueError, match=r"ran out of data after yielding 3 batches.*steps x epochs"
    ):
        model.fit(batches_of(x, y, 32), steps_per_epoch=2, epochs=2, verbose=0)
    assert model.history.epoch == [0]  # the completed epoch is kept


@pytest.mark.parametrize(
    "bad, message",
    [
        ((np.zeros((4, D)),), r"tuple \(x, y\).*tuple of length 1"),
        ((np.zeros((4, D)),) * 4, r"tuple of length 4"),
        ({"x": np.zeros((4, D))}, r"dict with keys \['x'\].*single input"),
        ((np.array([["a"] * D] * 4), np.zeros(4)), r"x \(batch 0 from the generator\)"),
        ((np.zeros((4, D)), np.zeros(3)), r"x \(batch 0.*has 4.*has 3"),
        ((np.zeros((4, D + 1)), np.zeros(4)), r"shape \(6,\) per sample"),
        ("not a batch", r"tuple \(x, y\).*str"),
    ],
)
def test_generator_wrong_structure_fails_before_the_first_step(bad, message):
    model = make_model()
    before = model.get_weights()
    counter = StepCounter()

    def gen():
        yield bad

    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(gen(), steps_per_epoch=1, callbacks=[counter], verbose=0)
    assert counter.steps == 0
    assert_same_weights(model.get_weights(), before)


def test_a_bad_later_batch_names_its_index():
    x, y = data()

    def gen():
        yield x[:8], y[:8]
        yield x[:8], y[:8]
        yield x[:8, :3], y[:8]

    with pytest.raises(ValueError, match=r"batch 2 from the generator.*\(3,\)"):
        make_model().fit(gen(), steps_per_epoch=3, verbose=0)


def test_generator_argument_errors():
    x, y = data()
    model = make_model()
    with pytest.raises(ValueError, match="y must not be given"):
        model.fit(batches_of(x, y, 8), y, verbose=0)
    with pytest.raises(ValueError, match="sample_weight must not be given"):
        model.fit(batches_of(x, y, 8), sample_weight=np.ones(N), verbose=0)
    with pytest.raises(ValueError, match="batch_size must not be given"):
        model.fit(batches_of(x, y, 8), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="validation_split is only supported"):
        model.fit(batches_of(x, y, 8), validation_split=0.2, verbose=0)

    def empty():
        yield from ()

    with pytest.raises(ValueError, match="yielded no batches"):
        model.fit(empty(), verbose=0)


def test_generator_validation_evaluate_predict_and_class_weight():
    x, y = data()
    model = make_model()
    history = model.fit(
        batches_of(x, y, 32, forever=True),
        steps_per_epoch=3,
        epochs=2,
        validation_data=batches_of(x, y, 48, forever=True),
        validation_steps=2,
        class_weight={0: 1.0, 1: 2.0},
        verbose=0,
    )
    assert len(history.history["val_loss"]) == 2
    expected = model.evaluate(x, y, verbose=0, return_dict=True)
    got = model.evaluate(batches_of(x, y, 32), verbose=0, return_dict=True)
    assert got["loss"] == pytest.approx(expected["loss"], rel=1e-6)
    assert got["accuracy"] == pytest.approx(expected["accuracy"])
    want = model.predict(x, verbose=0)
    np.testing.assert_allclose(
        model.predict((x[i : i + 20] for i in range(0, N, 20)), verbose=0), want
    )
    np.testing.assert_allclose(
        model.predict(((x[i : i + 20],) for i in range(0, N, 20)), verbose=0), want
    )
    np.testing.assert_allclose(
        model.predict(batches_of(x, y, 32, forever=True), steps=2, verbose=0),
        want[:64],
    )
    # class_weight is folded into each batch exactly as for arrays
    reference = trained_weights(
        x, y, batch_size=32, shuffle=False, class_weight={0: 1.0, 1: 3.0}
    )
    got = trained_weights(batches_of(x, y, 32), class_weight={0: 1.0, 1: 3.0})
    assert_same_weights(got, reference)


# ------------------------------------------------------------------ PyDataset
class Batches(PyDataset):
    def __init__(self, x, y, size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.size = x, y, size
        self.calls = []
        self.events = []

    def __len__(self):
        return math.ceil(len(self.x) / self.size)

    def __getitem__(self, index):
        self.calls.append(index)
        part = slice(index * self.size, (index + 1) * self.size)
        return self.x[part], self.y[part]

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")


def test_py_dataset_trains_like_arrays_and_calls_its_hooks():
    x, y = data()
    reference = trained_weights(x, y, batch_size=16, shuffle=False, epochs=3)
    dataset = Batches(x, y, 16)
    assert_same_weights(trained_weights(dataset, shuffle=False, epochs=3), reference)
    assert dataset.events == ["begin", "end"] * 3
    assert dataset.calls[:7] == [0, 1, 2, 3, 4, 5, 0]  # item 0 peeked once


def test_py_dataset_shuffles_batch_order_reproducibly():
    x, y = data()
    orders = []
    for _ in range(2):
        dataset = Batches(x, y, 16)
        trained_weights(dataset, epochs=2)  # shuffle=True by default
        orders.append(dataset.calls[1:])
    assert orders[0] == orders[1]
    assert sorted(orders[0][:6]) == list(range(6))
    assert orders[0][:6] != list(range(6))


def test_py_dataset_workers_give_the_same_result(caplog):
    x, y = data()
    reference = trained_weights(Batches(x, y, 16), epochs=2)
    threaded = Batches(x, y, 16, workers=3, max_queue_size=2)
    assert_same_weights(trained_weights(threaded, epochs=2), reference)
    with caplog.at_level(logging.WARNING, logger="numkeras"):
        processes = Batches(x, y, 16, workers=2, use_multiprocessing=True)
        assert_same_weights(trained_weights(processes, epochs=2), reference)
    assert "threads" in caplog.text and "use_multiprocessing" in caplog.text


def test_py_dataset_steps_per_epoch_resumes_and_infinite_datasets():
    x, y = data()
    dataset = Batches(x, y, 16)
    counter = StepCounter()
    make_model().fit(
        dataset,
        steps_per_epoch=4,
        epochs=3,
        shuffle=False,
        callbacks=[counter],
        verbose=0,
    )
    assert counter.steps == 12
    assert dataset.calls == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]

    class Endless(Batches):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            return super().__getitem__(index % 6)

    with pytest.raises(ValueError, match="infinite.*steps_per_epoch"):
        make_model().fit(Endless(x, y, 16), verbose=0)
    make_model().fit(Endless(x, y, 16), steps_per_epoch=8, epochs=2, verbose=0)


def test_py_dataset_for_validation_evaluate_predict():
    x, y = data()
    model = make_model()
    history = model.fit(
        Batches(x, y, 32), epochs=2, validation_data=Batches(x, y, 40), verbose=0
    )
    assert len(history.history["val_accuracy"]) == 2
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x, y, verbose=0)[0], rel=1e-6
    )
    assert model.evaluate(Batches(x, y, 7), verbose=0)[0] == pytest.approx(
        model.evaluate(x, y, verbose=0)[0], rel=1e-6
    )
    np.testing.assert_allclose(
        model.predict(Batches(x, y, 50), verbose=0), model.predict(x, verbose=0)
    )


def test_duck_typed_keras_style_dataset_and_bad_items():
    x, y = data()

    class KerasStyle:  # e.g. a keras.utils.PyDataset subclass: same protocol
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return x[index * 32 : (index + 1) * 32], y[index * 32 : (index + 1) * 32]

        def on_epoch_end(self):
            pass

    make_model().fit(KerasStyle(), epochs=1, verbose=0)

    class Broken(Batches):
        def __getitem__(self, index):
            return [self.x[:4]]

    with pytest.raises(ValueError, match=r"batch 0 of the PyDataset \(Broken\[0\]\)"):
        make_model().fit(Broken(x, y, 16), verbose=0)

    class Empty(Batches):
        def __len__(self):
            return 0

    with pytest.raises(ValueError, match="length 0"):
        make_model().fit(Empty(x, y, 16), verbose=0)


def test_progress_bar_for_a_generator_without_known_steps(capsys):
    x, y = data()
    make_model().fit(batches_of(x, y, 32), verbose=1)
    out = capsys.readouterr().out
    assert "3/Unknown" in out and "\b" not in out
