"""`seastat check`: does a published store still match its manifest?"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from .publish import sha256_of
from .store import Store, StoreError, current_version_dir


def check_store(store_dir: Path) -> list[str]:
    """Every problem found, one line each; an empty list means the store is sound."""
    try:
        root = current_version_dir(store_dir)
        manifest = json.loads((root / "manifest.json").read_text())
    except StoreError as exc:
        return [str(exc)]
    except (OSError, ValueError) as exc:
        return [f"manifest.json unreadable: {exc}"]
    problems: list[str] = []
    listed: set[str] = set()
    for name, info in manifest.get("datasets", {}).items():
        superseded = info.get("rows_superseded", 0)
        if info["rows_in"] != info["rows_published"] + info["rows_quarantined"] + superseded:
            problems.append(f"{name}: manifest does not add up: rows in {info['rows_in']} != "
                            f"published {info['rows_published']} + quarantined {info['rows_quarantined']}"
                            f" + superseded {superseded}")
        files = dict(info.get("files", {}))
        if sum(f["rows"] for f in files.values()) != info["rows_published"]:
            problems.append(f"{name}: the files' rows do not add up to rows_published {info['rows_published']}")
        for kind, group in (("quarantine", "quarantine"), ("rollup", "rollup"), ("service", "service"),
                            ("response", "service"), ("near_repeat", "hotspots")):    # the dataset's side files, listed beside its data
            rel = info.get(f"{kind}_file")
            entry = manifest.get(f"{group}_files", {}).get(rel) if rel else None
            if rel and entry is None:
                problems.append(f"{name}: {rel} missing from the manifest")
            elif rel:
                files[rel] = entry
                if kind == "quarantine" and entry["rows"] != info["rows_quarantined"]:
                    problems.append(f"{name}: {rel} lists {entry['rows']} rows, manifest says "
                                    f"{info['rows_quarantined']} quarantined")
        for rel, expect in files.items():
            listed.add(rel)
            path = root / rel
            if not path.is_file():
                problems.append(f"{rel}: missing")
                continue
            if sha256_of(path) != expect["sha256"]:
                problems.append(f"{rel}: contents changed (SHA-256 differs from the manifest)")
                continue
            meta = pq.ParquetFile(path)
            if meta.metadata.num_rows != expect["rows"]:
                problems.append(f"{rel}: {meta.metadata.num_rows} rows, manifest says {expect['rows']}")
            if rel.startswith(f"{name}/") and info.get("columns"):
                columns = {f.name: str(f.type) for f in meta.schema_arrow}
                if columns != info["columns"]:
                    problems.append(f"{rel}: schema differs from the manifest")
    for path in sorted(root.rglob("*.parquet")):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    return problems or _read_together(root)


def _read_together(root: Path) -> list[str]:
    """Files a view reads together must agree on their columns: the quarantine file of a dataset with
    no rejected rows once had NULL-typed columns, which read alone but fail beside a sibling's."""
    problems = []
    for group in ("crime/*/", "calls/*/", "use_of_force/*/", "quarantine/", "rollup/"):
        schemas = {p.relative_to(root).as_posix(): [(f.name, str(f.type)) for f in pq.read_schema(p)]
                   for p in sorted(root.glob(f"{group}*.parquet"))}
        first_rel, first = next(iter(schemas.items()), (None, None))
        problems += [f"{first_rel} and {rel}, read together by one view, disagree on their columns: "
                     + (", ".join(f"{a[0]} {a[1]} / {b[1]}" for a, b in zip(first, schema) if a != b) or "names")
                     for rel, schema in schemas.items() if schema != first]
    if problems:
        return problems
    try:
        store = Store(root)
    except StoreError as exc:
        return [str(exc)]
    try:
        store.df("check/read_views")
    except duckdb.Error as exc:
        problems.append(f"the views cannot read the files together: {str(exc).splitlines()[0]}")
    finally:
        store.close()
    return problems
