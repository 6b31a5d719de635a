"""A model config asking for more weight memory than its file holds is refused before allocating."""
import json
import os

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving import archive
from keraslite.saving.errors import UnsafeFileError


def resident_mb():
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads Linux /proc")
def test_a_huge_layer_in_a_crafted_config_fails_fast(tmp_path):
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3, name="small")])
    path = str(tmp_path / "m.keraslite")
    model.save(path)
    entries = archive.read_archive(path)
    config = json.loads(entries["config.json"])
    dense = [l for l in config["model"]["config"]["layers"] if l["class_name"] == "Dense"][0]
    dense["config"]["units"] = 10**8  # a 1.6 GB kernel, allocatable but not in the file
    entries["config.json"] = json.dumps(config).encode()
    archive.write_archive(path, entries)
    before = resident_mb()
    with pytest.raises(UnsafeFileError, match=r"m.keraslite: .*small/kernel.*more than the [0-9,]+ the file holds"):
        keraslite.models.load_model(path)
    assert resident_mb() - before < 200


def test_the_budget_does_not_refuse_real_models(tmp_path):
    model = keraslite.Sequential([keraslite.Input((8,)), layers.Dense(64), layers.Dropout(0.2),
                                  layers.BatchNormalization(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 8)), np.ones((8, 2)), verbose=0)
    model.save(str(tmp_path / "m.keraslite"))
    loaded = keraslite.models.load_model(str(tmp_path / "m.keraslite"))
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
