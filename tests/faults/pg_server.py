"""A private PostgreSQL + PostGIS cluster for fault tests: started, restarted, stopped at will.

    with PostgresServer() as pg:      # initdb in a temp dir, a free 127.0.0.1 port
        pg.url                        # postgis://blether:<random>@127.0.0.1:<port>/blether
        pg.restart(down_for=2)        # -m fast: live sessions terminated; refused for ~2 s
        pg.stop() / pg.start()

Uses the newest /usr/lib/postgresql/<version>/bin and the system's postgis and btree_gist
extensions. initdb refuses to run as root, so as root the cluster runs as `postgres`.
Listens on 127.0.0.1 only, with a random password (scram-sha-256).
"""

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.faults.net import free_port


def _bin_dir() -> Path:
    versions = list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not versions:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return max(versions, key=lambda p: int(p.parts[-3])).parent


class PostgresServer:
    def __init__(self, *, database: str = "blether", user: str = "blether"):
        self.bin = _bin_dir()
        self.port = free_port()
        self.database, self.user = database, user
        self.password = secrets.token_urlsafe(16)
        self.root = Path(tempfile.mkdtemp(prefix="blether-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        self._initialised = False

    # --------------------------------------------------------------- addresses

    @property
    def url(self) -> str:
        """For DATABASE_URL (Django's PostGIS engine)."""
        return f"postgis://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    @property
    def conninfo(self) -> str:
        """For psycopg."""
        return (
            f"host=127.0.0.1 port={self.port} dbname={self.database} "
            f"user={self.user} password={self.password} connect_timeout=5"
        )

    # --------------------------------------------------------------- lifecycle

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)

    def _initdb(self) -> None:
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--pwfile",
            str(pwfile),
            "--auth",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        pwfile.unlink()
        self._initialised = True

    def _pg_ctl(self, action: str, *extra: str, timeout: float = 60) -> None:
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.root} -c fsync=off -c max_connections=100"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(int(timeout)),
            *extra,
            action,
            timeout=timeout + 10,
        )

    def start(self) -> "PostgresServer":
        first = not self._initialised
        if first:
            self._initdb()
        self._pg_ctl("start")
        if first:
            self._create_database()
        return self

    def _create_database(self) -> None:
        admin = self.conninfo.replace(f"dbname={self.database}", "dbname=postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")

    def restart(self, *, down_for: float = 0.0) -> float:
        """Fast restart: live sessions are terminated, new connections refused until it is back.

        `down_for` keeps it stopped that many seconds, as a slower restart or failover would.
        Returns the seconds from the stop to accepting connections again.
        """
        began = time.monotonic()
        if down_for:
            self.stop("fast")
            time.sleep(down_for)
            self.start()
        else:
            self._pg_ctl("restart", "-m", "fast")
        return time.monotonic() - began

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def destroy(self) -> None:
        """Stop (if running) and delete the cluster."""
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.destroy()
