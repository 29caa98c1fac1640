"""A throw-away PostgreSQL server for the test session (pytest plugin: `pytest_plugins = ["pg_server"]`).

Debian's `postgresql` package (installed by `make test`) provides the binaries; nothing of the
system's own cluster is used. The session fixture runs initdb into a fresh folder under /tmp,
starts the server with pg_ctl listening on a unix socket in that folder only (no TCP port), and
stops it and removes the folder at the end. initdb refuses to run as root, so as root the server
runs as the `postgres` OS user (the Debian package creates it). Each test gets its own database.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def pg_bin() -> Path:
    """The newest Debian PostgreSQL's bin folder (SEASTAT_PG_BIN overrides)."""
    if os.environ.get("SEASTAT_PG_BIN"):
        return Path(os.environ["SEASTAT_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    on_path = shutil.which("initdb")
    if found:
        return Path(found[-1]).parent
    if on_path:
        return Path(on_path).parent
    pytest.fail("PostgreSQL binaries not found: `make test` installs Debian's postgresql package")


class Server:
    def __init__(self):
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="seastat-pg-"))
        self.data, self.socket_dir = self.root / "data", self.root
        with socket.socket() as s:   # a port number unlikely to be in use; it only names the socket file
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self.log = self.root / "server.log"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        done = self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                        "--encoding=UTF8", "--locale=C", "--no-sync")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        options = f"-c listen_addresses='' -k {self.socket_dir} -p {self.port} -c fsync=off -c full_page_writes=off"
        done = self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                        "-w", "-t", "60", "start")
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log[-2000:]}")

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def create_database(self) -> str:
        import psycopg
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')   # a generated name: no outside text in it
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server():
    """A running throw-away PostgreSQL server, stopped and removed after the session."""
    server = Server()
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty commitments database: an SQLite file, then a fresh database on the test server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'actions.sqlite'}"
    return request.getfixturevalue("postgres_server").create_database()
