"""Meetings pinned to a store version, so the projector, the packet and a colleague's link show the
same numbers after a re-publish.

The pins live in `pins.json` beside the store's `current` link (meeting day -> version). The
publisher keeps every pinned version when it prunes (the newest `[meetings] keep` meetings are
kept); a page opened with `?version=V` reads version V, and says so when a newer one exists.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from pathlib import Path

from .store import StoreError, current_version_dir

PINS = "pins.json"
VERSION_NAME = re.compile(r"v[0-9T]+-[0-9a-f]+-[0-9a-f]+")


def pins(store_dir: Path) -> dict[str, str]:
    """Meeting day (ISO) -> pinned version, newest meeting first."""
    try:
        raw = json.loads((Path(store_dir) / PINS).read_text())
    except (OSError, ValueError):
        return {}
    return dict(sorted(((d, v) for d, v in raw.items() if isinstance(v, str)), reverse=True))


def pinned_versions(store_dir: Path) -> set[str]:
    return set(pins(store_dir).values())


def version_dir(store_dir: Path, version: str) -> Path:
    """The folder of a kept version; a name that is not one (or a path) is a StoreError."""
    folder = Path(store_dir) / "versions" / version
    if not VERSION_NAME.fullmatch(version) or not (folder / "manifest.json").is_file():
        raise StoreError(f"version {version[:60]!r} is not kept in {store_dir}")
    return folder


def pin(store_dir: Path, meeting: dt.date, version: str | None = None, keep: int = 6) -> dict[str, str]:
    """Pin a meeting to `version` (the current one by default); only the newest `keep` meetings
    stay pinned. Written with one atomic rename, as `current` is."""
    store_dir = Path(store_dir)
    version = version or current_version_dir(store_dir).name
    version_dir(store_dir, version)
    kept = dict(list({**pins(store_dir), meeting.isoformat(): version}.items()))
    kept = dict(sorted(kept.items(), reverse=True)[:keep])
    tmp = store_dir / f".pins-{uuid.uuid4().hex[:8]}"
    tmp.write_text(json.dumps(kept, indent=2, sort_keys=True))
    os.replace(tmp, store_dir / PINS)
    return kept


def meeting_of(store_dir: Path, version: str) -> str | None:
    """The newest meeting a version is pinned for."""
    return next((day for day, v in pins(store_dir).items() if v == version), None)
