"""Owner-only files: the database, key files and checkpoints are created 0600 whatever the umask,
and an existing one that group or others can read is refused."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from peacewatch.registry.errors import UnsafeFile

#: Suffixes SQLite adds next to a WAL-mode database file.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def check_private(path: Path) -> None:
    """Raise :class:`UnsafeFile` when ``path`` exists and group or others may read or write it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UnsafeFile(
            f"{path} is readable or writable by group or others (mode {stat.S_IMODE(mode):04o}); "
            f"it holds registry secrets: run `chmod 600 {path}` and start again"
        )


def check_sqlite_files(db_path: Path) -> None:
    """Check the SQLite database file and its -wal/-shm/-journal companions."""
    for p in [db_path, *(Path(f"{db_path}{s}") for s in SQLITE_SIDE_FILES)]:
        check_private(p)


def make_private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents with mode 0700 whatever the umask (an existing
    directory is left as it is)."""
    missing = []
    p = path
    while not p.exists() and not p.is_symlink() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700, follow_symlinks=False)


def read_no_follow(path: Path) -> bytes:
    """Read ``path``, refusing a symbolic link (``O_NOFOLLOW``): raises ``OSError``."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (never widens an existing file)."""
    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    os.fchmod(fd, 0o600)  # the umask can only remove bits, but be explicit
    os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file + rename), mode 0600.

    Follows no symbolic link: the temporary file is created exclusively (``O_EXCL | O_NOFOLLOW``)
    and the rename replaces a link at ``path`` instead of writing through it. Missing directories
    are created 0700.
    """
    make_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
