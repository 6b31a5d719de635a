"""Size arguments that cannot be allocated are a ValueError naming the layer and argument,
before anything is allocated or compiled (in memory and loaded from a file)."""
import json

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving import archive
from keraslite.utils import allocation_budget

HUGE = 10**12


@pytest.mark.parametrize("make,argument", [
    (lambda: layers.CategoryEncoding(num_tokens=HUGE), "num_tokens"),
    (lambda: layers.Dense(units=HUGE), "units"),
    (lambda: layers.Embedding(input_dim=HUGE, output_dim=4), "input_dim"),
    (lambda: layers.Embedding(input_dim=4, output_dim=HUGE), "output_dim"),
    (lambda: layers.Conv2D(filters=HUGE, kernel_size=3), "filters"),
    (lambda: layers.RepeatVector(HUGE), "n"),
    (lambda: layers.UpSampling2D(size=HUGE), "size"),
    (lambda: layers.Reshape((HUGE, 2)), "target_shape"),
])
def test_an_axis_no_array_can_have_is_refused_at_construction(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert f"`{argument}`" in message and "1,000,000,000,000" in message


def test_weights_and_outputs_too_large_to_allocate_are_refused_when_built():
    with pytest.raises(ValueError, match=r"Weight 'big/kernel'.*\(4096, 1073741824\)"):
        keraslite.Sequential([keraslite.Input((4096,)), layers.Dense(2**30, name="big")])
    with pytest.raises(ValueError, match=r"Layer 'up'.*its output.*per example"):
        layers.UpSampling2D(size=2**16, name="up")(keraslite.Input((2**10, 2**10, 3)))
    with pytest.raises(ValueError, match=r"Reshape: its output"):
        layers.Reshape((2**30, 2**30))
    # Limits are far above real models: a large but possible layer still builds.
    model = keraslite.Sequential([keraslite.Input((8,)), layers.CategoryEncoding(
        num_tokens=100_000, output_mode="count", name="enc")])
    assert model.output_shape == (None, 100_000)
    assert allocation_budget.MAX_DIMENSION == 2**31 - 1


def test_category_encoding_with_a_huge_num_tokens_in_a_file_is_refused(tmp_path):
    model = keraslite.Sequential([keraslite.Input((3,), dtype="int32"),
                                  layers.CategoryEncoding(num_tokens=5, name="enc")])
    np.testing.assert_array_equal(np.asarray(model(np.array([[0, 2, 2]]))),
                                  [[1, 0, 1, 0, 0]])
    path = tmp_path / "m.keraslite"
    model.save(path)
    entries = archive.read_archive(path)
    config = json.loads(entries["config.json"])
    enc = [l for l in config["model"]["config"]["layers"] if l["class_name"] == "CategoryEncoding"]
    enc[0]["config"]["num_tokens"] = HUGE
    entries["config.json"] = json.dumps(config).encode()
    archive.write_archive(path, entries)
    with pytest.raises(ValueError) as info:
        keraslite.models.load_model(path)
    message = str(info.value)
    assert str(path) in message and "'enc'" in message and "`num_tokens`" in message


def test_a_long_received_value_is_cut_short_in_the_error():
    with pytest.raises(ValueError) as info:
        layers.Dense(units=list(range(1000)))
    message = str(info.value)
    assert "Dense" in message and "`units`" in message and "(1000 items)" in message
    assert len(message) < 300


def test_reshape_error_shows_the_models_input_shape_not_a_batch_size():
    with pytest.raises(ValueError) as info:
        keraslite.Sequential([keraslite.Input((4,)), layers.Reshape((5,), name="rs")])
    message = str(info.value)
    assert "(None, 4)" in message and "'rs'" in message and "target_shape=(5,)" in message
    model = keraslite.Sequential([layers.Reshape((5,), name="rs2")])
    with pytest.raises(ValueError, match=r"shape \(None, 4\)"):
        model.predict(np.ones((32, 4), "float32"), verbose=0)
