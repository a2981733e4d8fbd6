"""A private PostgreSQL server for tests: initdb in a temp folder, pg_ctl start on a free port.

Used by the fixture in test_sources_sql.py. Root cannot run PostgreSQL, so as root the data
folder belongs to the ``postgres`` OS user and the binaries run through ``runuser``.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 60


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be started (the reason is the message)."""


@dataclass
class PgServer:
    url: str
    port: int
    root: Path
    prefix: tuple[str, ...]
    bindir: Path

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def stop(self) -> None:
        """pg_ctl stop -m fast, then remove the temp folder."""
        try:
            _run([*self.prefix, str(self.bindir / "pg_ctl"), "stop", "-m", "fast", "-w",
                  "-D", str(self.datadir)])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl (or from PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                        else 0)
    for path in reversed(candidates):
        if (Path(path) / "initdb").is_file() and (Path(path) / "pg_ctl").is_file():
            return Path(path)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def _prefix(root: Path) -> tuple[str, ...]:
    """Run as the ``postgres`` user when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return ()
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise PgUnavailable("running as root and there is no 'postgres' OS user") from None
    if not shutil.which("runuser"):
        raise PgUnavailable("running as root and 'runuser' is not available")
    for path in [root, *root.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    return ("runuser", "-u", "postgres", "--")


def start_server() -> PgServer:
    """Start a throw-away server; raise PgUnavailable with the reason when it cannot start."""
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable("no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH")
    root = Path(tempfile.mkdtemp(prefix="playbook-pg-"))
    (root / "sock").mkdir()
    try:
        prefix = _prefix(root)
        data = root / "data"
        init = _run([*prefix, str(bindir / "initdb"), "-A", "trust", "-U", "postgres",
                     "-E", "UTF8", "--no-locale", "--no-sync", "-D", str(data)])
        if init.returncode != 0:
            raise PgUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        port = free_port()
        options = (f"-p {port} -k {root / 'sock'} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        start = _run([*prefix, str(bindir / "pg_ctl"), "-w", "-D", str(data),
                      "-l", str(root / "server.log"), "-o", options, "start"])
        if start.returncode != 0:
            log = (root / "server.log").read_text(errors="replace") if (
                root / "server.log").exists() else ""
            raise PgUnavailable(f"pg_ctl start failed: {start.stderr.strip()} {log[-500:]}")
    except PgUnavailable:
        shutil.rmtree(root, ignore_errors=True)
        raise
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise PgUnavailable(f"{type(exc).__name__}: {exc}") from None
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    return PgServer(url=url, port=port, root=root, prefix=prefix, bindir=bindir)
