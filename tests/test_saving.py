"""Saving and loading: .keras, .weights.h5, legacy .h5, JSON; Keras's layout;
real Keras 3.15.1 files from tests/data/keras_files."""

import io
import json
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

import numkeras as K
from numkeras.saving import (
    FileFormatError,
    load_model,
    model_from_json,
)

KERAS_FILES = Path(__file__).parent / "data" / "keras_files"


def make_model(name="mlp", dropout=True, optimizer=None):
    layers = [K.Input((8,)), K.layers.Dense(16, activation="relu")]
    if dropout:
        layers.append(K.layers.Dropout(0.2))
    layers.append(K.layers.Dense(3, activation="softmax"))
    model = K.Sequential(layers, name=name)
    model.compile(
        optimizer=optimizer or K.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 8)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32") + (x[:, 1] > 1)


@pytest.fixture
def trained():
    model = make_model()
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, shuffle=False)
    return model, x, y


def assert_same_model(a, b, x):
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))
    for u, v in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(u, v)


def assert_same_optimizer(a, b):
    va, vb = a.optimizer.variables, b.optimizer.variables
    assert len(va) == len(vb) and int(va[0]) == int(vb[0])
    for u, v in zip(va[1:], vb[1:], strict=True):
        np.testing.assert_array_equal(u, v)


# ------------------------------------------------------------------ round trips
def test_keras_roundtrip_restores_weights_optimizer_and_compile(trained, tmp_path):
    model, x, y = trained
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.name == "mlp"
    assert_same_model(model, loaded, x)
    assert_same_optimizer(model, loaded)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)
    assert loaded.get_compile_config()["metrics"] == ["accuracy"]
    logs = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"accuracy", "loss"}


def test_keras_compile_false(trained, tmp_path):
    model, x, _ = trained
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras", compile=False)
    assert loaded.optimizer is None
    assert_same_model(model, loaded, x)


def test_keras_file_layout_matches_keras(trained, tmp_path):
    model, _, _ = trained
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [
            "metadata.json",
            "config.json",
            "model.weights.h5",
        ]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        meta = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
        weights = zf.read("model.weights.h5")
    assert meta["keras_version"] == "3.15.1"
    assert config["module"] == "keras" and config["class_name"] == "Sequential"
    assert config["build_config"] == {"input_shape": [None, 8]}
    cc = config["compile_config"]
    assert cc["optimizer"]["class_name"] == "Adam"
    assert cc["loss"] == "sparse_categorical_crossentropy"
    with h5py.File(io.BytesIO(weights), "r") as f:
        assert dict(f.attrs) == {}
        assert sorted(f["layers"]) == ["dense", "dense_1", "dropout"]
        assert f["layers/dense/vars"].attrs["name"] == model.layers[0].name
        assert f["layers/dense/vars/0"].shape == (8, 16)
        assert len(f["layers/dropout/vars"]) == 0
        assert f["optimizer/vars"].attrs["name"] == model.optimizer.name
        assert f["optimizer/vars/0"].dtype == np.int32
        assert len(f["optimizer/vars"]) == 2 + 2 * 4
        assert f["vars"].attrs["name"] == "mlp"


def test_uncompiled_model_has_no_optimizer_group(tmp_path):
    model = K.Sequential([K.Input((4,)), K.layers.Dense(2)])
    model.save(tmp_path / "u.keras")
    with zipfile.ZipFile(tmp_path / "u.keras") as zf:
        config = json.loads(zf.read("config.json"))
        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            assert "optimizer" not in f
    assert config["compile_config"] == {}
    loaded = load_model(tmp_path / "u.keras")
    assert loaded.optimizer is None


def test_unzipped_folder_roundtrip(trained, tmp_path):
    model, x, _ = trained
    model.save(tmp_path / "folder", zipped=False)
    assert (tmp_path / "folder" / "config.json").exists()
    assert_same_model(model, load_model(tmp_path / "folder"), x)


def test_weights_h5_roundtrip_with_optimizer(trained, tmp_path):
    model, x, y = trained
    model.save_weights(tmp_path / "w.weights.h5")
    other = make_model(name="other")
    other.fit(x, y, epochs=1, batch_size=32, verbose=0)
    other.load_weights(tmp_path / "w.weights.h5")
    assert_same_model(model, other, x)
    assert_same_optimizer(model, other)


def test_load_weights_from_keras_archive(trained, tmp_path):
    model, x, _ = trained
    model.save(tmp_path / "m.keras")
    other = make_model(name="other2")
    with pytest.warns(UserWarning, match="not been called/built yet"):
        other.load_weights(tmp_path / "m.keras")  # as Keras: optimizer unbuilt
    assert_same_model(model, other, x)


@pytest.mark.parametrize("suffix", [".h5", ".hdf5"])
def test_legacy_weights_roundtrip_in_tf_keras_2_layout(trained, tmp_path, suffix):
    model, x, _ = trained
    path = tmp_path / f"FMbest{suffix}"
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        names = [n.decode() for n in f.attrs["layer_names"]]
        assert names == [layer.name for layer in model.layers]
        first = model.layers[0].name
        assert [n.decode() for n in f[first].attrs["weight_names"]] == [
            f"{first}/kernel:0",
            f"{first}/bias:0",
        ]
        assert f[f"{first}/{first}/kernel:0"].shape == (8, 16)
        assert "keras_version" in f.attrs and "backend" in f.attrs
    other = make_model(name="other3")
    other.load_weights(path)
    assert_same_model(model, other, x)


def test_legacy_weights_by_name(trained, tmp_path):
    model, x, _ = trained
    model.save_weights(tmp_path / "w.h5")
    other = K.Sequential(
        [
            K.Input((8,)),
            K.layers.Dense(16, activation="relu", name=model.layers[0].name),
        ]
    )
    other.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])
    with pytest.raises(ValueError, match="by_name"):
        other.load_weights(tmp_path / "x.weights.h5", by_name=True)


def test_legacy_full_model_roundtrip(trained, tmp_path):
    model, x, _ = trained
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        assert "module" not in config["config"]["layers"][1]
        assert "optimizer_config" in json.loads(f.attrs["training_config"])
        assert "model_weights" in f and "optimizer_weights" in f
    loaded = load_model(tmp_path / "m.h5")
    assert_same_model(model, loaded, x)
    assert_same_optimizer(model, loaded)
    other = make_model(name="other4")
    other.load_weights(tmp_path / "m.h5")  # full-model h5 also feeds load_weights
    assert_same_model(model, other, x)


def test_json_roundtrip(trained):
    model, x, _ = trained
    clone = model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    assert_same_model(model, clone, x)
    assert K.saving.model_from_config(json.loads(model.to_json())).name == model.name


# --------------------------------------------------------------------- API errors
def test_filename_rules(trained, tmp_path):
    model, _, _ = trained
    with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
        model.save(tmp_path / "m.txt")
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(tmp_path / "m.weights")
    with pytest.raises(FileFormatError, match="File not found"):
        load_model(tmp_path / "missing.keras")
    with pytest.raises(FileFormatError, match="File format not supported"):
        (tmp_path / "m.pkl").write_bytes(b"x")
        load_model(tmp_path / "m.pkl")
    with pytest.raises(ValueError, match="not supported"):
        model.save(tmp_path / "m.keras", save_format="tf", bogus=1)


def test_load_weights_into_unbuilt_model_fails(trained, tmp_path):
    model, _, _ = trained
    model.save_weights(tmp_path / "w.weights.h5")
    unbuilt = K.Sequential([K.layers.Dense(3)])
    with pytest.raises(ValueError, match="not yet been built"):
        unbuilt.load_weights(tmp_path / "w.weights.h5")


def test_overwrite_false_asks(trained, tmp_path, monkeypatch):
    model, _, _ = trained
    path = tmp_path / "m.keras"
    path.write_bytes(b"old")
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    model.save(path, overwrite=False)
    assert path.read_bytes() == b"old"
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    model.save(path, overwrite=False)
    assert zipfile.is_zipfile(path)


def test_mismatched_weights_leave_model_unchanged(trained, tmp_path):
    model, _, _ = trained
    model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "w.h5")
    wider = K.Sequential([K.Input((8,)), K.layers.Dense(16), K.layers.Dense(4)])
    before = wider.get_weights()
    for name in ("w.weights.h5", "w.h5"):
        with pytest.raises(FileFormatError, match="shape"):
            wider.load_weights(tmp_path / name)
        for a, b in zip(before, wider.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)  # the first layer was NOT loaded
    with pytest.warns(UserWarning, match="Skipping"):
        wider.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(wider.get_weights()[0], model.get_weights()[0])


def test_optimizer_count_mismatch_warns_and_skips(trained, tmp_path):
    model, x, y = trained
    model.save_weights(tmp_path / "w.weights.h5")
    other = make_model(name="o5", optimizer=K.optimizers.SGD(0.1))
    other.fit(x, y, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        other.load_weights(tmp_path / "w.weights.h5")
    assert_same_model(model, other, x)


# ---------------------------------------------------- files written by real Keras
def keras_file(name):
    path = KERAS_FILES / name
    if not path.exists():
        pytest.skip(f"{name} not generated yet (tools/make_goldens.py --keras-files)")
    return path


def probe(stem):
    with np.load(keras_file(f"{stem}.npz")) as npz:
        return {k: npz[k] for k in npz.files}


def check_against_probe(model, p, optimizer=False):
    np.testing.assert_allclose(
        model.predict(p["x"], verbose=0), p["y"], rtol=1e-5, atol=1e-6
    )
    want = [p[k] for k in sorted(k for k in p if k.startswith("w_"))]
    for got, w in zip(model.get_weights(), want, strict=True):
        np.testing.assert_array_equal(got, w)
    if optimizer:
        opt = [
            p[k] for k in sorted(k for k in p if k[4:].isdigit() and k[:4] == "opt_")
        ]
        got = model.optimizer.variables
        assert len(got) == len(opt) and int(got[0]) == int(opt[0])
        for g, w in zip(got[1:], opt[1:], strict=True):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("stem", ["mlp_adam", "mlp_sgd", "zoo"])
def test_load_keras_written_archive(stem):
    model = load_model(keras_file(f"{stem}.keras"))
    check_against_probe(model, probe(stem), optimizer=stem != "zoo")


def test_load_keras_written_legacy_h5():
    model = load_model(keras_file("mlp_legacy.h5"))
    check_against_probe(model, probe("mlp_legacy"), optimizer=True)


@pytest.mark.parametrize("stem", ["mlp", "mlp_sgd", "zoo"])
def test_model_from_keras_json(stem):
    model = model_from_json(keras_file(f"{stem}.json").read_text())
    p = probe(stem)
    model.set_weights([p[k] for k in sorted(k for k in p if k.startswith("w_"))])
    check_against_probe(model, p)


def test_load_keras_written_weights_h5_with_optimizer():
    model = model_from_json(keras_file("mlp.json").read_text())
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.optimizer.build(model.trainable_weights)
    model.load_weights(keras_file("mlp.weights.h5"))
    check_against_probe(model, probe("mlp"), optimizer=True)
