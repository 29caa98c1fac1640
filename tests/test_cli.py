"""The `seastat` command as a user runs it: clear one-line errors, exit codes, check."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import PROJECT_ROOT

SEASTAT = [sys.executable, "-m", "seastat"]


def run(*args, cwd=PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*SEASTAT, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_console_script_and_help():
    script = Path(sys.executable).parent / "seastat"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("publish", "synth", "check", "serve"):
        assert command in result.stdout
        assert run(command, "--help").returncode == 0


def test_synth_then_publish_prints_the_reconciliation(tmp_path):
    result = run("synth", "--rows", 3000, "--out", tmp_path / "src", "--end", "2026-11-22")
    assert result.returncode == 0, result.stderr
    result = run("publish", *sorted((tmp_path / "src").glob("*.csv")), "--out", tmp_path / "store")
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.strip().startswith("crime"))
    numbers = [int(t.replace(",", "")) for t in line.split() if t.replace(",", "").isdigit()]
    assert numbers[0] == numbers[1] + numbers[2] + numbers[3] and numbers[0] >= 3000   # in = published + q. + s.
    assert "%" in result.stderr                     # progress was shown
    assert run("check", "--store", tmp_path / "store").returncode == 0


@pytest.mark.parametrize("args,message", [
    (("publish", "no-such-file.csv", "--out", "{tmp}/s"), "no such file"),
    (("publish", "{tmp}/bad.csv", "--out", "{tmp}/s"), "not a recognised SPD export"),
    (("--config", "{tmp}/missing.toml", "check"), "settings file not found"),
    (("check", "--store", "{tmp}/nothing"), "no published store"),
    (("synth", "--rows", "0", "--out", "{tmp}/x"), "--rows must be at least 1"),
])
def test_user_errors_are_one_clear_line(tmp_path, args, message):
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    result = run(*[a.format(tmp=tmp_path) for a in args])
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def copy_store(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def test_check_finds_a_tampered_file_a_missing_partition_and_a_bad_manifest(tmp_path, small_store_dir):
    tampered = copy_store(small_store_dir, tmp_path / "t")
    part = next((tampered / "current" / "crime").rglob("*.parquet"))
    table = pq.read_table(part)
    pq.write_table(table.slice(1), part)
    result = run("check", "--store", tampered)
    assert result.returncode == 1 and "contents changed" in result.stderr

    missing = copy_store(small_store_dir, tmp_path / "m")
    next((missing / "current" / "calls").rglob("*.parquet")).unlink()
    result = run("check", "--store", missing)
    assert result.returncode == 1 and "missing" in result.stderr

    bad = copy_store(small_store_dir, tmp_path / "b")
    manifest_path = bad / "current" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["datasets"]["crime"]["rows_published"] += 1
    manifest_path.write_text(json.dumps(manifest))
    result = run("check", "--store", bad)
    assert result.returncode == 1 and "does not add up" in result.stderr


def test_publishing_one_dataset_prints_what_it_kept_and_replace_all_empties_the_rest(tmp_path, small_sources):
    store = tmp_path / "store"
    assert run("publish", *sorted(small_sources.glob("*.csv")), "--out", store).returncode == 0
    result = run("publish", small_sources / "crime.csv", "--out", store)
    assert result.returncode == 0, result.stderr
    kept = [line.split()[0] for line in result.stdout.splitlines() if "kept unchanged" in line]
    assert kept == ["calls", "use_of_force"]
    result = run("publish", small_sources / "crime.csv", "--out", store, "--replace-all")
    assert result.returncode == 0 and "kept" not in result.stdout
    manifest = json.loads((store / "current" / "manifest.json").read_text())
    assert manifest["kept"] == [] and manifest["datasets"]["calls"]["rows_published"] == 0


def test_a_store_of_another_schema_version_is_not_mixed_into(tmp_path, small_sources):
    store = tmp_path / "store"
    assert run("publish", small_sources / "calls.csv", "--out", store).returncode == 0
    manifest_path = store / "current" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "schema_version": 1}))
    result = run("publish", small_sources / "crime.csv", "--out", store)
    assert result.returncode == 2 and "schema version 1" in result.stderr and "--replace-all" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run("publish", small_sources / "crime.csv", "--out", store, "--replace-all").returncode == 0


def test_revisions_in_words():
    from seastat.manifest import revisions_text
    info = {"revisions": {"added": 212, "removed": 0, "recoded": 14, "late": 9,
                          "previous_published_at": "2026-11-18T09:30:00-08:00"}}
    assert revisions_text(info, "crime") == "since Nov 18: 212 new reports, 14 re-classified, 9 late reports in earlier periods"
    info["revisions"].update(added=1, removed=3, recoded=0, late=1)
    assert revisions_text(info, "use_of_force") == "since Nov 18: 1 new use of force, 3 removed, 1 late use of force in earlier periods"
    assert revisions_text({"revisions": None}) == ""
