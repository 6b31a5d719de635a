"""The TensorFlow backend starts quietly: no C++ start-up logs unless the user asks for them.

Each test runs a fresh Python process with KERASLITE_BACKEND=tensorflow (TensorFlow's logging is
set up once per process), so the file runs the same under either backend of the suite.
"""
import os
import re
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("tensorflow")

# An absl/glog record: "I0000 00:00:1796600541.801832    4153 port.cc:153] message"
CPP_RECORD = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\] ", re.M)
FAKE_RECORD = "W0000 00:00:1700000000.000001    1234 fake_plugin.cc:7] a C++ start-up notice"

# While ``tensorflow`` is imported, write a C++-style record and an ordinary line straight to
# file descriptor 2, as TensorFlow's shared libraries do when they load. This makes the check
# independent of what a given TensorFlow build happens to log on a given machine.
INJECT = textwrap.dedent(f"""
    import importlib.abc, os, sys

    class Noisy(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "tensorflow":
                os.write(2, b"{FAKE_RECORD}\\n")
                os.write(2, b"an ordinary line from an import hook\\n")
            return None

    sys.meta_path.insert(0, Noisy())
""")

TINY_FIT = textwrap.dedent("""
    import os
    import numpy as np
    import keraslite
    model = keraslite.Sequential([keraslite.Input(shape=(4,)), keraslite.layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((10, 4), "float32"), np.ones((10, 3), "float32"), batch_size=4,
              epochs=2, verbose=0)
    model.predict(np.ones((3, 4), "float32"), verbose=0)
    print("level", os.environ.get("TF_CPP_MIN_LOG_LEVEL"))
""")


def _run(code, **env_changes):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(KERASLITE_BACKEND="tensorflow", PYTHONWARNINGS="ignore", **env_changes)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def test_fit_prints_nothing_on_stderr_by_default():
    result = _run(TINY_FIT)
    assert result.stderr == ""
    assert result.stdout.strip().endswith("level 3")


def test_start_up_records_are_dropped_and_other_output_is_kept():
    result = _run(INJECT + TINY_FIT)
    assert not CPP_RECORD.search(result.stderr), result.stderr
    assert "absl::InitializeLog" not in result.stderr
    assert result.stderr == "an ordinary line from an import hook\n"


def test_the_users_log_level_is_respected():
    result = _run(INJECT + TINY_FIT, TF_CPP_MIN_LOG_LEVEL="0")
    assert FAKE_RECORD in result.stderr.splitlines()
    assert "an ordinary line from an import hook" in result.stderr
    assert result.stdout.strip().endswith("level 0")
