"""Shared test set-up: a fresh naming counter and fixed seeds for every test."""
import numpy as np
import pytest

import keraslite


@pytest.fixture(autouse=True)
def _fresh_session():
    # Names only: a garbage collection before each of the ~4,000 tests (clear_session's
    # default, as in Keras) costs minutes per backend.
    keraslite.backend.clear_session(free_memory=False)
    np.random.seed(0)
    yield


@pytest.fixture
def backend_name():
    return keraslite.backend.backend()
