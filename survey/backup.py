"""`flask backup`: a consistent copy of the SQLite database, taken while the app runs.

SQLite's online backup API copies every page inside one read transaction, so the copy is the database as it
was at one moment even while citizens are answering (WAL lets them write meanwhile). A plain file copy is not:
it misses what still sits in the -wal file and can catch a page half-written. PostgreSQL has its own tool."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.kernel.extensions import db


def _fail(message: str) -> NoReturn:
    """Say what went wrong in Danish and end the command with exit code 1 (a cron job then reports it)."""
    click.echo(message, err=True)
    raise SystemExit(1)


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy the database at `source` to `target` (a new file, readable only by its owner) and check the copy."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)  # answers and sign-ups: nobody else on the machine may read the copy
    # read-only: the backup must never be what holds up a citizen's write
    with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)  # all pages in one step, so one read transaction: a consistent copy
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    src.close()
    dst.close()
    if check != "ok":
        partial.unlink()
        _fail(f"Kopien er ikke i orden ({check}); intet er gemt.")
    with partial.open("rb") as copy:
        os.fsync(copy.fileno())
    os.replace(partial, target)  # the target appears whole or not at all


def _target_path(target: Path | None) -> Path:
    """The file to write: TARGET, or a dated file in TARGET (a folder) or in BACKUP_DIR."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(current_app.config["BACKUP_DIR"]) if target is None else target
    if target is None or target.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"borgerdialog-{stamp}.sqlite3"
    return target


@click.command("backup")
@click.argument("target", required=False, type=click.Path(file_okay=True, path_type=Path))
@with_appcontext
def backup_command(target: Path | None) -> None:
    """Tag en sikkerhedskopi af SQLite-databasen, mens appen kører (TARGET: en fil eller en mappe)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        _fail(
            "Databasen er PostgreSQL. Tag sikkerhedskopien med PostgreSQL's eget værktøj, fx:\n"
            "  pg_dump --format=custom --file=borgerdialog.dump <databasens adresse>\n"
            "og læg den tilbage med pg_restore (se afsnittet Sikkerhedskopi i README.md).\n"
            "Der er ikke lavet nogen kopi."
        )
    path = _target_path(target)
    if path.exists():
        _fail(f"{path} findes allerede; vælg et andet navn. Intet er overskrevet.")
    if not path.parent.is_dir():
        _fail(f"Mappen {path.parent} findes ikke. Der er ikke lavet nogen kopi.")
    backup_sqlite(Path(url.database), path)
    click.echo(f"Sikkerhedskopi gemt: {path} ({path.stat().st_size // 1024} KB)")
