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
