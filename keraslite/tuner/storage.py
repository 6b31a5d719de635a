"""Where a search's study lives: an embedded journal file, or a database URL for many workers.

The embedded default is Optuna's JournalStorage over one append-only file,
``<directory>/<project_name>/study.journal``. Measured against SQLite (the other embedded
choice) with 20 trials of 4 parameters, 5 reported epochs and a heartbeat each
(``python benchmarks/tuner_search.py --storage-only``): about 11 ms of storage time per trial
for the journal file against about 210 ms for SQLite, which commits and syncs every write. The
journal file also takes concurrent writers on one machine through a lock file, where SQLite
answers "database is locked" under contention. A ``postgresql://`` (or any SQLAlchemy) URL,
given as ``storage=`` or in ``KERASLITE_SEARCH_STORAGE``, shares one study between machines.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import time
from dataclasses import dataclass
from typing import Any, Optional

import optuna
import sqlalchemy.exc
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage

ENVIRONMENT_VARIABLE = "KERASLITE_SEARCH_STORAGE"
JOURNAL_FILE = "study.journal"
# A worker killed while holding the journal's lock file leaves it behind; others break it after
# this many seconds (Optuna's default is 30).
LOCK_GRACE_SECONDS = 10
CREATE_ATTEMPTS = 4


@dataclass(frozen=True)
class StorageSpec:
    """Which storage a search uses: ``kind`` is "journal" (a file path) or "url"."""

    kind: str
    location: str

    @property
    def dashboard_argument(self) -> str:
        """What ``optuna-dashboard`` takes to open this storage."""
        return self.location


def resolve(storage: Optional[str], project_dir: str) -> StorageSpec:
    """The storage named by ``storage=``, else ``KERASLITE_SEARCH_STORAGE``, else embedded."""
    if storage is None:
        storage = os.environ.get(ENVIRONMENT_VARIABLE) or None
    if storage is None:
        return StorageSpec("journal", os.path.join(project_dir, JOURNAL_FILE))
    if not isinstance(storage, str):
        raise TypeError("storage must be a database URL string such as "
                        f"'postgresql://user@host/db'. Received: {type(storage).__name__}")
    if "://" not in storage:
        raise ValueError(
            "storage must be a database URL (postgresql://..., mysql://..., sqlite:///path) "
            f"or None for the embedded journal file. Received: {storage!r}")
    return StorageSpec("url", _with_driver(storage))


def _with_driver(url: str) -> str:
    """``postgresql://`` names SQLAlchemy 2.1's default driver (psycopg 3); where only
    psycopg2 is installed (the ``psycopg2-binary`` wheel), name it instead."""
    if url.startswith(("postgresql://", "postgres://")):
        if (importlib.util.find_spec("psycopg") is None
                and importlib.util.find_spec("psycopg2") is not None):
            return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def open_storage(spec: StorageSpec) -> Any:
    """The Optuna storage object for ``spec`` (creating the journal's folder)."""
    if spec.kind == "journal":
        os.makedirs(os.path.dirname(spec.location) or ".", exist_ok=True)
        if os.path.lexists(spec.location) and not os.path.isfile(spec.location):
            raise ValueError(f"The search's journal {spec.location!r} exists but is not a "
                             "regular file.")
        lock = JournalFileOpenLock(spec.location, grace_period=LOCK_GRACE_SECONDS)
        return JournalStorage(JournalFileBackend(spec.location, lock_obj=lock))
    engine_kwargs = {"pool_pre_ping": True} if not spec.location.startswith("sqlite") else {}
    for attempt in range(CREATE_ATTEMPTS):
        try:
            return optuna.storages.RDBStorage(spec.location, engine_kwargs=engine_kwargs)
        except sqlalchemy.exc.SQLAlchemyError:
            # Workers starting together on an empty database race to create Optuna's
            # tables; the losers find them made on a second try.
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def remove_study(spec: StorageSpec, storage: Any, study_name: str, project_dir: str) -> None:
    """Deletes the study (``overwrite=True``) and the project's local files."""
    if spec.kind == "url":
        try:
            optuna.delete_study(study_name=study_name, storage=storage)
        except KeyError:
            pass  # no such study yet
    if os.path.isdir(project_dir):
        shutil.rmtree(project_dir)
