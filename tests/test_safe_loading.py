"""Loading never executes code from a file, and bad files fail cleanly.

One test per attack shape (each proves nothing ran: a marker file that the
payload would create does not exist), then malformed / truncated / hostile
files, then a hypothesis fuzz test over mutated archives. Every failure must
be one of the documented error types (numkeras.saving.errors).
"""

import base64
import io
import json
import marshal
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numkeras as K
from numkeras.saving import (
    FileFormatError,
    UnsafeDeserializationError,
    load_model,
    model_from_json,
)

DOCUMENTED = (FileFormatError, UnsafeDeserializationError)


def small_model():
    model = K.Sequential(
        [
            K.Input((4,)),
            K.layers.Dense(3, activation="relu"),
            K.layers.Dense(2, activation="softmax"),
        ],
        name="small",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((8, 4)).astype("float32")
    model.fit(x, np.arange(8) % 2, epochs=1, verbose=0)
    return model


@pytest.fixture(scope="module")
def keras_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("safe") / "small.keras"
    small_model().save(path)
    return path.read_bytes()


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def rezip(path, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=1) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def with_config(tmp_path, keras_bytes, edit, name="evil.keras"):
    m = members(keras_bytes)
    config = json.loads(m["config.json"])
    edit(config)
    m["config.json"] = json.dumps(config).encode()
    return rezip(tmp_path / name, m.items())


# ------------------------------------------------------------------ attack shapes
def payload_code(marker):
    def evil(x):
        open(marker, "w").write("pwned")  # noqa: SIM115
        return x

    return evil.__code__.replace(
        co_consts=tuple(
            str(marker) if c == "MARKER" else c for c in evil.__code__.co_consts
        )
    )


def lambda_layer_config(marker):
    code = base64.b64encode(marshal.dumps(payload_code(marker))).decode("ascii")
    return {
        "module": "keras.layers",
        "class_name": "Lambda",
        "config": {
            "name": "lambda",
            "trainable": True,
            "dtype": "float32",
            "function": {
                "class_name": "__lambda__",
                "config": {"code": code, "defaults": None, "closure": None},
            },
            "arguments": {},
        },
        "registered_name": None,
    }


@pytest.mark.parametrize("safe_mode", [True, False])
def test_lambda_layer_with_bytecode_is_refused(tmp_path, keras_bytes, safe_mode):
    marker = tmp_path / "marker"
    path = with_config(
        tmp_path,
        keras_bytes,
        lambda c: c["config"]["layers"].insert(2, lambda_layer_config(marker)),
    )
    with pytest.raises(UnsafeDeserializationError, match="Lambda"):
        load_model(path, safe_mode=safe_mode)
    assert not marker.exists()


def test_lambda_activation_is_refused(tmp_path, keras_bytes):
    marker = tmp_path / "marker"
    fn = lambda_layer_config(marker)["config"]["function"]
    path = with_config(
        tmp_path,
        keras_bytes,
        lambda c: c["config"]["layers"][1]["config"].update(activation=fn),
    )
    with pytest.raises(UnsafeDeserializationError, match="__lambda__"):
        load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "entry",
    [
        {
            "module": "os",
            "class_name": "system",
            "config": {"command": "touch MARKER"},
            "registered_name": None,
        },
        {
            "module": "builtins",
            "class_name": "exec",
            "config": {"source": "1"},
            "registered_name": None,
        },
        {
            "module": "keras.layers",
            "class_name": "Dense",
            "config": {"units": 2},
            "registered_name": "os>system",
        },
        {
            "module": "subprocess",
            "class_name": "Popen",
            "config": {"args": ["ls"]},
            "registered_name": "Popen",
        },
    ],
)
def test_foreign_module_or_registered_name_is_refused(tmp_path, keras_bytes, entry):
    path = with_config(
        tmp_path, keras_bytes, lambda c: c["config"]["layers"].append(entry)
    )
    with pytest.raises(UnsafeDeserializationError, match="numkeras never"):
        load_model(path)


def test_function_activation_naming_eval_is_refused(tmp_path, keras_bytes):
    evil = {
        "module": "builtins",
        "class_name": "function",
        "config": "eval",
        "registered_name": "eval",
    }
    path = with_config(
        tmp_path,
        keras_bytes,
        lambda c: c["config"]["layers"][1]["config"].update(activation=evil),
    )
    with pytest.raises(UnsafeDeserializationError):
        load_model(path)


def test_unknown_keras_class_is_a_clear_error(tmp_path, keras_bytes):
    entry = {
        "module": "keras.layers",
        "class_name": "system",
        "config": {},
        "registered_name": None,
    }
    path = with_config(
        tmp_path, keras_bytes, lambda c: c["config"]["layers"].append(entry)
    )
    with pytest.raises(FileFormatError, match="Could not interpret layer identifier"):
        load_model(path)


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c.update(safe_mode=False),
        lambda c: c["config"].update(safe_mode=False),
        lambda c: c["config"]["layers"].append(
            {
                "module": "keras.config",
                "class_name": "enable_unsafe_deserialization",
                "config": {},
                "registered_name": None,
            }
        ),
        lambda c: c["config"]["layers"][1]["config"].update(
            __lambda__={"code": "AA=="}
        ),
    ],
)
def test_switching_unsafe_deserialization_on_is_refused(tmp_path, keras_bytes, edit):
    path = with_config(tmp_path, keras_bytes, edit)
    with pytest.raises(UnsafeDeserializationError):
        load_model(path, safe_mode=False)


def test_json_with_lambda_is_refused(tmp_path):
    marker = tmp_path / "marker"
    model = K.Sequential([K.Input((4,)), K.layers.Dense(2)])
    config = json.loads(model.to_json())
    config["config"]["layers"].append(lambda_layer_config(marker))
    with pytest.raises(UnsafeDeserializationError):
        model_from_json(json.dumps(config))
    assert not marker.exists()


def test_legacy_h5_with_lambda_is_refused(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "m.h5"
    small_model().save(path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        entry = lambda_layer_config(marker)
        config["config"]["layers"].append(
            {"class_name": "Lambda", "config": entry["config"]}
        )
        f.attrs["model_config"] = json.dumps(config).encode()
    with pytest.raises(UnsafeDeserializationError, match="Lambda"):
        load_model(path, safe_mode=False)
    assert not marker.exists()


def test_custom_objects_are_the_only_way_in(tmp_path, keras_bytes):
    class Custom(K.layers.Dense):
        pass

    entry = {
        "module": "my_package.layers",
        "class_name": "Custom",
        "config": {"units": 2, "name": "custom"},
        "registered_name": "pkg>Custom",
    }
    path = with_config(
        tmp_path, keras_bytes, lambda c: c["config"]["layers"].append(entry)
    )
    with pytest.raises(UnsafeDeserializationError):
        load_model(path, compile=False)
    model = K.saving.model_from_config(
        {
            "class_name": "Sequential",
            "config": {
                "layers": [
                    {"class_name": "InputLayer", "config": {"batch_shape": [None, 3]}},
                    entry,
                ]
            },
        },
        custom_objects={"Custom": Custom},
    )
    assert isinstance(model.layers[-1], Custom)


def test_external_link_in_weights_is_refused(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink("/etc/passwd", "/x")
    with pytest.raises(UnsafeDeserializationError, match="ExternalLink"):
        model.load_weights(tmp_path / "w.weights.h5")


# -------------------------------------------------------------- malformed files
def test_truncated_and_garbage_files(tmp_path, keras_bytes):
    model = small_model()
    for i, data in enumerate(
        [
            keras_bytes[: len(keras_bytes) // 2],
            b"",
            b"PK\x03\x04garbage",
            b"not a zip at all" * 10,
        ]
    ):
        path = tmp_path / f"bad{i}.keras"
        path.write_bytes(data)
        with pytest.raises(FileFormatError):
            load_model(path)
        with pytest.raises(FileFormatError):
            model.load_weights(path)
    (tmp_path / "bad.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 50)
    with pytest.raises(FileFormatError):
        model.load_weights(tmp_path / "bad.weights.h5")


@pytest.mark.parametrize(
    "config",
    [
        b"\xff\xfe\x00garbage",
        b"{not json",
        b"[1, 2]",
        b"[" * 100000,
        b'{"class_name": 7}',
    ],
)
def test_bad_config_json(tmp_path, keras_bytes, config):
    m = members(keras_bytes)
    m["config.json"] = config
    with pytest.raises(FileFormatError):
        load_model(rezip(tmp_path / "bad.keras", m.items()))


@pytest.mark.parametrize("missing", ["config.json", "model.weights.h5"])
def test_missing_members(tmp_path, keras_bytes, missing):
    m = members(keras_bytes)
    del m[missing]
    with pytest.raises(FileFormatError, match=missing):
        load_model(rezip(tmp_path / "bad.keras", m.items()))


def test_duplicate_members(tmp_path, keras_bytes):
    m = members(keras_bytes)
    entries = list(m.items()) + [("config.json", b"{}")]
    with pytest.warns(UserWarning), pytest.raises(FileFormatError, match="duplicate"):
        load_model(rezip(tmp_path / "bad.keras", entries))


def test_zip_bomb_is_refused_without_inflating(tmp_path, keras_bytes):
    m = members(keras_bytes)
    m["model.weights.h5"] = b"\0" * (70 * 2**20)  # 70 MB of zeros, ~300 KB deflated
    path = rezip(tmp_path / "bomb.keras", m.items(), compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(FileFormatError, match="declares"):
        load_model(path)
    m = members(keras_bytes)
    m["config.json"] = b" " * (65 * 2**20)
    path = rezip(tmp_path / "bomb2.keras", m.items(), compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(FileFormatError, match="declares|zip bomb"):
        load_model(path)


def rewrite_weights(tmp_path, keras_bytes, edit):
    m = members(keras_bytes)
    buffer = io.BytesIO(m["model.weights.h5"])
    with h5py.File(buffer, "r+") as f:
        edit(f)
    m["model.weights.h5"] = buffer.getvalue()
    return rezip(tmp_path / "edited.keras", m.items())


def replace(path, **kwargs):
    def edit(f):
        del f[path]
        f.create_dataset(path, **kwargs)

    return edit


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            replace(
                "layers/dense/vars/0",
                shape=(10**6, 10**6),
                dtype="f4",
                chunks=(1, 1024),
            ),
            "shape",
        ),
        (
            replace("layers/dense/vars/0", data=np.array([["a"] * 3] * 4, dtype="S1")),
            "dtype",
        ),
        (replace("layers/dense/vars/1", data=np.zeros(7, "f4")), "shape"),
        (lambda f: f.__delitem__("layers/dense_1/vars/1"), "expected 2 variables"),
        (lambda f: f.__delitem__("layers/dense_1"), "expected 2 variables"),
        (replace("optimizer/vars/0", data=np.float32(2.5)), "iteration"),
    ],
)
def test_hostile_weights_leave_model_unchanged(tmp_path, keras_bytes, edit, message):
    path = rewrite_weights(tmp_path, keras_bytes, edit)
    with pytest.raises(FileFormatError, match=message):
        load_model(path)
    model = small_model()
    before = model.get_weights()
    opt_before = [np.array(v) for v in model.optimizer.variables]
    with pytest.raises(FileFormatError, match=message):
        model.load_weights(path)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(opt_before, model.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------------ fuzz
def mutate(data, ops):
    data = bytearray(data)
    for kind, pos, value in ops:
        if not data:
            break
        pos %= len(data)
        if kind == "flip":
            data[pos] ^= 1 << (value % 8)
        elif kind == "byte":
            data[pos] = value % 256
        elif kind == "truncate":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = bytes([value % 256]) * (1 + value % 7)
    return bytes(data)


OPS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "byte", "truncate", "insert"]),
        st.integers(0, 2**31),
        st.integers(0, 255),
    ),
    max_size=4,
)


def try_load(path):
    try:
        load_model(path)
    except DOCUMENTED:
        pass


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
def test_fuzz_byte_mutations(tmp_path, keras_bytes, ops):
    path = tmp_path / "fuzz.keras"
    path.write_bytes(mutate(keras_bytes, ops))
    try_load(path)


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, path + (i,))
    yield path


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzz_member_swaps_and_config_mutations(tmp_path, keras_bytes, data):
    m = members(keras_bytes)
    names = list(m)
    if data.draw(st.booleans()):
        a, b = data.draw(st.permutations(names))[:2]
        m[a], m[b] = m[b], m[a]
    else:
        config = json.loads(m["config.json"])
        paths = [p for p in leaves(config) if p]
        for _ in range(data.draw(st.integers(1, 3))):
            p = data.draw(st.sampled_from(paths))
            node = config
            try:
                for key in p[:-1]:
                    node = node[key]
                node[p[-1]] = data.draw(JSON_VALUES)
            except (KeyError, IndexError, TypeError):
                pass
        m["config.json"] = json.dumps(config).encode()
    try_load(rezip(tmp_path / "fuzz.keras", m.items()))


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
def test_fuzz_weights_h5_mutations(tmp_path, keras_bytes, ops):
    model = (
        small_model()
        if not hasattr(test_fuzz_weights_h5_mutations, "m")
        else test_fuzz_weights_h5_mutations.m
    )
    test_fuzz_weights_h5_mutations.m = model
    path = tmp_path / "fuzz.weights.h5"
    path.write_bytes(mutate(members(keras_bytes)["model.weights.h5"], ops))
    before = model.get_weights()
    try:
        model.load_weights(path)
    except DOCUMENTED:
        for a, b in zip(before, model.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
