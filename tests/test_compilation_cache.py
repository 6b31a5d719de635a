"""The opt-in persistent compilation cache: a second process finds its programs on disk.

The cross-process checks run fresh Python processes with KERASLITE_COMPILATION_CACHE_DIR (the
backend's compiler is configured once per process) under the suite's backend.
"""
import os
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import keraslite
from keraslite import config

TINY_FIT = textwrap.dedent("""
    import numpy as np
    import keraslite
    keraslite.utils.set_random_seed(0)
    model = keraslite.Sequential([keraslite.Input(shape=(4,)), keraslite.layers.Dense(3)])
    # jit_compile=True: on TensorFlow a fit this short would run on TensorFlow's kernels
    # (XLA only pays from thousands of steps), leaving the XLA cache nothing to store.
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    history = model.fit(np.ones((10, 4), "float32"), np.ones((10, 3), "float32"),
                        batch_size=4, epochs=2, verbose=0)
    print("cache", keraslite.config.compilation_cache_dir())
    print("loss", history.history["loss"][-1])
""")


def _run_with_cache(cache_dir):
    env = dict(os.environ, KERASLITE_COMPILATION_CACHE_DIR=str(cache_dir),
               KERASLITE_BACKEND=keraslite.backend.backend())
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    result = subprocess.run([sys.executable, "-c", TINY_FIT], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    return lines["cache"], float(lines["loss"])


def _entries(directory):
    return {os.path.relpath(os.path.join(d, f), directory)
            for d, _, files in os.walk(directory) for f in files}


def test_second_process_reads_the_programs_the_first_one_saved(tmp_path):
    cache_dir = tmp_path / "cache"
    used, first_loss = _run_with_cache(cache_dir)
    assert used == str(cache_dir)
    saved = _entries(cache_dir)
    assert saved, "the first process saved no compiled program"
    _, second_loss = _run_with_cache(cache_dir)
    # Every program was found in the cache: nothing new was compiled and saved ...
    assert _entries(cache_dir) == saved
    # ... and the cached programs compute what the compiled ones did.
    assert second_loss == first_loss


@pytest.fixture
def cache_off():
    """The cache off for the test, and this process's setting back afterwards (the suite runs
    with KERASLITE_COMPILATION_CACHE_DIR set: scripts/test.sh)."""
    before = config.compilation_cache_dir()
    config.disable_compilation_cache()
    yield
    if before is None:
        config.disable_compilation_cache()
    else:
        config.enable_compilation_cache(before)


def test_enable_creates_a_private_directory_and_disable_turns_it_off(tmp_path, cache_off):
    target = tmp_path / "new" / "cache"
    try:
        assert config.enable_compilation_cache(target) == str(target)
        assert config.compilation_cache_dir() == str(target)
        assert target.is_dir()
        if os.name == "posix":
            assert stat.S_IMODE(os.stat(target).st_mode) & 0o077 == 0
    finally:
        config.disable_compilation_cache()
    assert config.compilation_cache_dir() is None


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_directory_others_can_write_is_refused(tmp_path, cache_off):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(ValueError, match="writable by other users"):
        config.enable_compilation_cache(shared)
    assert config.compilation_cache_dir() is None


def test_bad_paths_name_the_argument(tmp_path, cache_off):
    with pytest.raises(TypeError, match="path=42"):
        config.enable_compilation_cache(42)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ValueError, match="must be a directory"):
        config.enable_compilation_cache(a_file)
    assert config.compilation_cache_dir() is None


def test_fit_in_this_process_is_unchanged_by_the_setting(tmp_path, cache_off):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")

    def train():
        keraslite.utils.set_random_seed(1)
        model = keraslite.Sequential([keraslite.Input(shape=(4,)), keraslite.layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return model.predict(x, verbose=0)

    expected = train()
    try:
        config.enable_compilation_cache(tmp_path / "cache")
        np.testing.assert_allclose(train(), expected, rtol=1e-6)
    finally:
        config.disable_compilation_cache()
