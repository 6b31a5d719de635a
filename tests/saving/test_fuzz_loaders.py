"""A short, seeded fuzzing pass over every loader (the long run is in docs/hardening.md): every
mutated file or config loads or raises ValueError/TypeError, nothing else."""
import os
import sys

import pytest

pytest.importorskip("hypothesis")
pytest.importorskip("h5py")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fuzz_loaders  # noqa: E402

EXAMPLES = {"model_config": 20, "from_config": 25, "archive_bytes": 15, "safetensors": 25,
            "h5": 12, "legacy_h5": 30}


@pytest.mark.parametrize("target", sorted(fuzz_loaders.TARGETS))
def test_loader_survives_mutated_inputs(target):
    before = fuzz_loaders.COUNTS.get(target, 0)
    fuzz_loaders.run(target, EXAMPLES[target])
    assert sum(fuzz_loaders.COUNTS.values()) > before  # the target really ran inputs
