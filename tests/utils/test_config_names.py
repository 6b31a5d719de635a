"""keras.config names: dtype policy through config, flags, and the once-only warning."""
import warnings

import keraslite


def test_dtype_policy_round_trip():
    before = keraslite.config.dtype_policy()
    try:
        keraslite.config.set_dtype_policy("mixed_float16")
        assert keraslite.config.dtype_policy().name == "mixed_float16"
        assert keraslite.mixed_precision.global_policy().name == "mixed_float16"
    finally:
        keraslite.config.set_dtype_policy(before)


def test_flags():
    keraslite.config.disable_traceback_filtering()
    assert not keraslite.config.is_traceback_filtering_enabled()
    keraslite.config.enable_traceback_filtering()
    assert keraslite.config.is_traceback_filtering_enabled()
    keraslite.config.disable_interactive_logging()
    assert not keraslite.config.is_interactive_logging_enabled()
    keraslite.config.enable_interactive_logging()


def test_unsafe_deserialization_warns_once():
    keraslite.config._flags["unsafe_warned"] = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keraslite.config.enable_unsafe_deserialization()
        keraslite.config.enable_unsafe_deserialization()
    assert len(caught) == 1 and "never runs code" in str(caught[0].message)
