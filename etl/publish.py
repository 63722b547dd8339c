"""Atomic publishing of warehouse snapshots.

DuckDB allows one read-write process per file and none while others hold it
read-only, and it replays a `<file>.wal` found beside a database even on a
read-only open. So a build never writes the live file: it writes a new, fully
checkpointed snapshot `<db>.snapshots/<build_id>.duckdb`, and the live path
`<db>` is a symlink swapped to it with one atomic rename. Readers open the
resolved snapshot path read-only, so they keep the snapshot they opened until they
choose to look again, and no WAL at the live path can ever be replayed into it.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

KEEP_SNAPSHOTS = 3


def snapshots_dir(db: Path) -> Path:
    return db.with_name(db.name + ".snapshots")


def new_snapshot_path(db: Path, build_id: str) -> Path:
    d = snapshots_dir(db)
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{build_id}.duckdb"


def current_snapshot(db: Path) -> Path | None:
    """The snapshot the live path points at now (a plain file counts as itself)."""
    if not db.exists():
        return None
    return Path(os.path.realpath(db))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(db: Path, snapshot: Path) -> None:
    """Point the live path at `snapshot` in one atomic step."""
    wal = Path(str(snapshot) + ".wal")
    if wal.exists():
        raise RuntimeError(f"{snapshot.name} har en WAL-fil og er ikke ferdig skrevet; publiserer ikke")
    _fsync(snapshot)
    # A WAL left at the live path by a crashed writer of an older, plain-file warehouse
    # would otherwise be replayed by anyone opening the live path directly.
    stray = Path(str(db) + ".wal")
    if stray.exists():
        stray.unlink()
    tmp = db.with_name(f".{db.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    target = os.path.relpath(snapshot, db.parent)
    os.symlink(target, tmp)
    os.replace(tmp, db)
    dir_fd = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def prune(db: Path, keep: int = KEEP_SNAPSHOTS) -> list[Path]:
    """Remove old snapshots, keeping the live one and the newest `keep`.

    A reader that still has a removed snapshot open keeps reading it (POSIX keeps the
    inode alive); it switches to the live one on its next look.
    """
    live = current_snapshot(db)
    snaps = sorted(snapshots_dir(db).glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for p in snaps[keep:]:
        if live is not None and p.resolve() == live:
            continue
        for f in (p, Path(str(p) + ".wal")):
            if f.exists():
                f.unlink()
        removed.append(p)
    return removed


def discard(snapshot: Path) -> None:
    """Remove a snapshot whose build failed; the live warehouse is untouched."""
    for f in (snapshot, Path(str(snapshot) + ".wal")):
        if f.exists():
            f.unlink()
