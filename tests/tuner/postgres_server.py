"""A throwaway PostgreSQL server on loopback for the multi-worker tuner tests.

``python tests/tuner/postgres_server.py`` starts one in a new temporary folder and prints its
URL (``.ci/run`` exports it as KERASLITE_TEST_POSTGRES_URL); the tests' fixture starts its own
when that variable is unset. Needs Debian's ``postgresql`` package (initdb, pg_ctl). PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user.
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from typing import Callable, Optional, Tuple

USER = "keraslite"


def binaries() -> Optional[str]:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return os.path.dirname(os.path.realpath(found))
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(base: str) -> Tuple[str, Callable[[], None]]:
    """Starts a server with its data under ``base``; returns (url, stop)."""
    folder = binaries()
    if folder is None:
        raise FileNotFoundError("PostgreSQL's initdb/pg_ctl are not installed "
                                "(apt-get install postgresql)")
    data = os.path.join(base, "pgdata")
    os.makedirs(data, mode=0o700)
    prefix = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        for path in (base, data):
            os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    def run(*args: str) -> None:
        done = subprocess.run(prefix + list(args), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:1])} failed: {done.stderr[-2000:]}")

    run(os.path.join(folder, "initdb"), "-D", data, "-U", USER, "--auth=trust", "-E", "UTF8")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={data}"
    run(os.path.join(folder, "pg_ctl"), "-D", data, "-o", options, "-l",
        os.path.join(data, "server.log"), "-w", "start")

    def stop() -> None:
        subprocess.run(prefix + [os.path.join(folder, "pg_ctl"), "-D", data, "-m", "immediate",
                                 "stop"], capture_output=True, timeout=60)

    return f"postgresql://{USER}@127.0.0.1:{port}/postgres", stop


if __name__ == "__main__":
    url, _ = start(tempfile.mkdtemp(prefix="keraslite-pg-"))
    print(url)
    sys.exit(0)
