"""Shared test set-up: a fresh naming counter and fixed seeds for every test."""
import numpy as np
import pytest

import keraslite


@pytest.fixture(autouse=True)
def _fresh_session():
    keraslite.backend.clear_session()
    np.random.seed(0)
    yield


@pytest.fixture
def backend_name():
    return keraslite.backend.backend()
