"""A PostgreSQL server for the tuner's multi-worker tests (see postgres_server.py)."""
import os
import shutil
import tempfile

import pytest

from tests.tuner import postgres_server


@pytest.fixture(scope="session")
def postgres_url():
    url = os.environ.get("KERASLITE_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    if postgres_server.binaries() is None:
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql) and "
                    "KERASLITE_TEST_POSTGRES_URL is unset")
    # Directly under the temp folder: pytest's own is private to root, and the server may run
    # as the postgres user.
    base = tempfile.mkdtemp(prefix="keraslite-pg-")
    url, stop = postgres_server.start(base)
    try:
        yield url
    finally:
        stop()
        shutil.rmtree(base, ignore_errors=True)
