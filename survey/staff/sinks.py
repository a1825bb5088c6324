"""What the development sinks share (mail: staff.mailbox, SMS: staff.sms_sink): a folder of files a file backend
wrote, read newest first, and opened by name only when the name is one that backend gives (no path from the URL
ever reaches the file system)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask import abort

#: how many messages a sink page lists
NEWEST = 100


def newest_files(folder: Path | None, name: re.Pattern[str], order: Callable[[str], object] = str) -> list[Path]:
    """The files in `folder` whose names match `name`, newest first by `order` (of the name); none without a folder."""
    if folder is None or not folder.is_dir():
        return []
    files = (path for path in folder.iterdir() if name.fullmatch(path.name) and path.is_file())
    return sorted(files, key=lambda path: order(path.name), reverse=True)


def sink_file(folder: Path | None, file_name: str, name: re.Pattern[str]) -> Path:
    """The file `file_name` in `folder`, when the name is the backend's kind and the file is there; else 404."""
    if folder is None or not name.fullmatch(file_name) or not (folder / file_name).is_file():
        abort(404)
    return folder / file_name
