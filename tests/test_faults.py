"""Crash mid-publish: `python -m seastat publish` killed by signals at random moments, killed at
each step of the swap, and failing inside the writer. After every fault the previous store is
complete (`seastat check` passes on it), a reader that had it open still gets its answers, and the
next publish succeeds and clears what the dead publisher left behind."""
from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT
from hypothesis_profiles import scaled
from store_sources import source_sets  # noqa: F401 (a fixture)

from seastat.check import check_store
from seastat.publish import publish
from seastat.sql import sql
from seastat.store import Store

pytestmark = pytest.mark.slow      # heavy: still run by `make test`, skipped by `-m 'not slow'`

DATASETS = ("crime", "calls", "use_of_force")

# Runs the real command after arranging for the process to SIGKILL itself at one named step.
KILL_AT = r"""
import os, pathlib, shutil, signal, sys
import seastat.publish as publisher

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def before(fn, when=lambda *a: True):
    def wrapper(*a, **k):
        if when(*a):
            die()
        return fn(*a, **k)
    return wrapper

def after(fn):
    def wrapper(*a, **k):
        result = fn(*a, **k)
        die()
    return wrapper

def half_delete(path, *a, **k):   # dies halfway through deleting an old version
    path = pathlib.Path(path)
    if path.parent.name == "versions" and path.name.startswith("v"):
        next(path.rglob("*.parquet")).unlink()
        die()
    return real_rmtree(path, *a, **k)

step = sys.argv[1]
real_rmtree = shutil.rmtree
if step == "staging":            # after the first batch of rows is staged
    publisher._to_stage = after(publisher._to_stage)
elif step == "hashing":          # every data file written, no manifest yet
    publisher._hash_tree = before(publisher._hash_tree)
elif step == "rename":           # complete version, still named .incoming-*
    pathlib.Path.rename = before(pathlib.Path.rename, lambda src, dst: src.name.startswith(".incoming-"))
elif step == "swap":             # renamed, `current` not yet pointed at it
    publisher._swap_current = before(publisher._swap_current)
elif step == "link":             # new link made, not yet renamed over `current`
    os.replace = before(os.replace, lambda src, dst: str(dst).endswith("current"))
elif step == "prune":            # swapped, old versions not yet deleted
    publisher._prune = before(publisher._prune)
elif step == "pruning":
    shutil.rmtree = half_delete
from seastat.cli import main
sys.exit(main(sys.argv[2:]))
"""
OLD_STAYS = ["staging", "hashing", "rename", "swap", "link"]
NEW_IS_IN = ["prune", "pruning"]


def command(sources: list[Path], store: Path, prefix: list[str] | None = None) -> list[str]:
    return [sys.executable, *(prefix or ["-m", "seastat"]), "publish", *map(str, sources), "--out", str(store)]


def content_of(store: Path) -> str:
    return json.loads((store / "current" / "manifest.json").read_text())["content_hash"]


def answers(reader: Store) -> list:
    return [reader.df("areas", dataset=d)["incidents"].sum() for d in DATASETS]


def assert_intact(store: Path, allowed: set[str], reader: Store, reader_answers: list) -> None:
    """current is one complete version that passes the check, and a reader pinned before the fault
    still gets the same answers."""
    assert content_of(store) in allowed
    assert not (store / "current").resolve().name.startswith(".")
    assert check_store(store) == []
    assert answers(reader) == reader_answers


def assert_check_command_passes(store: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "seastat", "check", "--store", str(store)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0 and "ok:" in result.stdout, result.stderr


def assert_cleared(store: Path) -> None:
    """Only the current version and the one it replaced remain: no work folders, links or orphans."""
    versions = {p.name for p in (store / "versions").iterdir()}
    previous_and_current = 2
    assert len(versions) <= previous_and_current, versions
    assert (store / "current").resolve().name in versions
    assert not list(store.glob(".current-*"))


@pytest.fixture(scope="module")
def hashes(source_sets, settings, tmp_path_factory) -> list[str]:
    """The content hash each source set publishes to (publishing is deterministic)."""
    return [publish(s, tmp_path_factory.mktemp("hash"), settings)["content_hash"] for s in source_sets]


@pytest.fixture
def store(tmp_path, source_sets, settings) -> Path:
    """A store with two versions published (so a publish has an old one to prune)."""
    out = tmp_path / "store"
    publish(source_sets[1], out, settings)
    publish(source_sets[0], out, settings)
    return out


def test_sigkill_at_each_step_of_publishing_leaves_a_sound_store(store, source_sets, hashes, settings, tmp_path):
    script = tmp_path / "kill_at.py"
    script.write_text(KILL_AT)
    for step in OLD_STAYS + NEW_IS_IN:
        reader = Store.open(store)
        before = answers(reader)
        old = content_of(store)
        other = 1 - hashes.index(old)
        result = subprocess.run(command(source_sets[other], store, [str(script), step]), cwd=PROJECT_ROOT,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == -signal.SIGKILL, (step, result.stderr[-2000:])
        assert_intact(store, {old if step in OLD_STAYS else hashes[other]}, reader, before)
        reader.close()
    assert_check_command_passes(store)
    publish(source_sets[0], store, settings)     # the next publish succeeds and clears the debris
    assert check_store(store) == []
    assert_cleared(store)


def start_publish(sources: list[Path], store: Path) -> tuple[subprocess.Popen, float]:
    """A `seastat publish` process, once it has started reading (its first progress line): the
    moment it did, for timing. Python's own start-up is not what these tests are about."""
    proc = subprocess.Popen(command(sources, store), cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stderr.readline()
    return proc, time.monotonic()


def test_random_signals_mid_publish_never_break_the_store(store, source_sets, hashes, settings):
    """SIGKILL, SIGTERM and SIGINT at random moments of a real `seastat publish` run."""
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    proc, publishing = start_publish(source_sets[1], store)
    assert proc.wait(timeout=300) == 0
    full_run = time.monotonic() - publishing        # kills are spread over the whole publish
    outcomes = {"killed": 0, "finished": 0}
    for round_ in range(scaled(12)):
        reader = Store.open(store)
        before = answers(reader)
        old = content_of(store)
        sources = source_sets[round_ % 2]
        sig = rng.choice([signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
        delay = rng.uniform(0, full_run * 1.1)
        proc, _ = start_publish(sources, store)
        time.sleep(delay)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=300)
        context = f"seed {seed}, round {round_}, {sig.name} after {delay:.2f}s: {stderr[-1500:]}"
        assert "Traceback" not in stderr, context
        new = hashes[round_ % 2]
        if proc.returncode == 0:
            outcomes["finished"] += 1
            assert content_of(store) == new
        else:
            outcomes["killed"] += 1
            assert proc.returncode == -sig or (proc.returncode == 130 and "interrupted" in stderr), context
        assert_intact(store, {old, new}, reader, before)
        reader.close()
    print(f"\nrandom signals (seed {seed}): {outcomes}")
    assert_check_command_passes(store)
    publish(source_sets[0], store, settings)
    assert check_store(store) == []
    assert_cleared(store)


@pytest.mark.parametrize("step", ["publish/write_published", "publish/write_quarantine", "publish/write_empty"])
def test_an_error_inside_the_writer_leaves_the_previous_store(step, tmp_path, source_sets, settings, monkeypatch):
    """The writer fails (as on a full disk) after some of the new files are already written."""
    store = tmp_path / "store"
    publish(source_sets[0][:1] + source_sets[0][2:], store, settings)   # calls left out: written empty
    reader = Store.open(store)
    before = answers(reader)
    old = content_of(store)
    import seastat.publish as publisher

    def failing(name: str) -> str:
        if name == step:
            raise duckdb.IOException(f'Could not write file "{name}": No space left on device')
        return sql(name)

    monkeypatch.setattr(publisher, "sql", failing)
    with pytest.raises(duckdb.IOException):   # --replace-all: calls are written (empty), not kept
        publish(source_sets[1][:1] + source_sets[1][2:], store, settings, replace_all=True)
    monkeypatch.undo()
    assert_intact(store, {old}, reader, before)
    assert not [p for p in (store / "versions").iterdir() if p.name.startswith((".incoming-", "stage-"))]
    publish(source_sets[1], store, settings)
    assert check_store(store) == []


@pytest.mark.parametrize("limit", [50_000, 400_000])
def test_a_full_disk_is_one_line_and_the_old_store_stays(limit, store, source_sets):
    """Real write failures: the kernel refuses to let the publisher's files grow past `limit` bytes."""
    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write fails with EFBIG instead of killing

    reader = Store.open(store)
    before = answers(reader)
    old = content_of(store)
    result = subprocess.run(command(source_sets[1], store), cwd=PROJECT_ROOT, capture_output=True, text=True,
                            preexec_fn=small_disk, timeout=300)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("seastat publish:")]
    assert len(errors) == 1 and "File too large" in errors[0] and "Traceback" not in result.stderr
    assert_intact(store, {old}, reader, before)
    assert_check_command_passes(store)


def test_two_publishers_at_once_take_turns(store, source_sets):
    reader = Store.open(store)
    before = answers(reader)
    procs = [subprocess.Popen(command(s, store), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for s in source_sets]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()[-2000:]
    published = {json.loads((v / "manifest.json").read_text())["content_hash"]
                 for v in (store / "versions").iterdir() if v.resolve() != reader.version_dir.resolve()}
    assert len(published) == 2        # both versions whole: the second replaced the first
    assert_intact(store, published, reader, before)
