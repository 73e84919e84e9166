"""Every example in examples/ runs against a local cluster and does what
examples/README.md says it does: the values it returns, the resume from a
checkpoint on attempt 1, the sweep's best learning rate, and the loop over
the mounted tree."""
import json
import os
import pathlib
import re
import subprocess

import pytest

from conftest import SOURCE_DIR, binary
from jobtools import konduktor, plugin_env

EXAMPLES = SOURCE_DIR / "examples"
# Each file of examples/ and the test that runs it.
COVERED = {
    "README.md": "test_every_example_is_run_and_described",
    "hello.yaml": "test_hello",
    "pi.yaml": "test_pi",
    "resume.yaml": "test_resume_from_checkpoint",
    "resume/train.py": "test_resume_from_checkpoint",
    "sweep/trial.yaml": "test_sweep",
    "sweep/sweep.py": "test_sweep",
    "collect.sh": "test_collect_through_the_mounted_tree",
}


@pytest.fixture
def fast_cluster(cluster_factory):
    # A failed pod is replaced after 100 ms instead of the usual 10 s.
    return cluster_factory(args=["--job-backoff", "100ms"])


def env_with_path(cluster, **extra):
    """The plugin's test environment with the build's programs on PATH, so
    that `kubectl konduktor` inside a script finds this build."""
    env = plugin_env(cluster, **extra)
    env["PATH"] = f"{pathlib.Path(binary('kubectl-konduktor')).parent}:{env['PATH']}"
    return env


def launch_wait(cluster, *args):
    r = konduktor(cluster, "launch", "--wait", *args, cwd=SOURCE_DIR, timeout=120)
    assert r.returncode == 0, r.stderr
    job = re.search(r"job '([a-z0-9-]+)' launched", r.stderr).group(1)
    return job, json.loads(r.stdout)


def test_every_example_is_run_and_described():
    files = {str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert files == set(COVERED), "a new example needs a test here"
    readme = (EXAMPLES / "README.md").read_text()
    for name in files - {"README.md"}:
        assert f"examples/{name}" in readme, f"examples/README.md does not mention {name}"


def test_hello(cluster):
    _, result = launch_wait(cluster, "examples/hello.yaml")
    assert result == {"w": 2.0, "b": 1.0, "loss": 1.49e-29}


def test_pi(cluster):
    _, result = launch_wait(cluster, "examples/pi.yaml")
    assert result["samples"] == 200000
    assert abs(result["pi"] - 3.14159) < 0.02


def test_resume_from_checkpoint(fast_cluster, tmp_path):
    checkpoints = tmp_path / "checkpoints"
    job, result = launch_wait(fast_cluster, "--env", f"CHECKPOINT_DIR={checkpoints}",
                              "examples/resume.yaml")
    # Attempt 0 crashed after epoch 3; attempt 1 went on from there.
    assert result["attempt"] == 1 and result["resumed_from_epoch"] == 3
    assert result["epochs"] == 6
    saved = json.loads((checkpoints / f"{job}-0" / "checkpoint.json").read_text())
    assert saved["epoch"] == 6

    r = konduktor(fast_cluster, "status", job, "-o", "json")
    status = json.loads(r.stdout)
    assert status["state"] == "SUCCEEDED" and status["indexes"][0]["attempts"] == 2

    # The same training without the crash ends with the same model: the
    # resume lost nothing and repeated nothing.
    _, straight = launch_wait(fast_cluster, "--env", f"CHECKPOINT_DIR={checkpoints}",
                              "--env", "CRASH_AT_EPOCH=0", "examples/resume.yaml")
    assert straight["attempt"] == 0 and straight["resumed_from_epoch"] == 0
    for key in ("w", "b", "loss"):
        assert straight[key] == result[key], key


def test_sweep(cluster):
    r = subprocess.run(["/usr/bin/python3", str(EXAMPLES / "sweep" / "sweep.py"),
                        "--rounds", "2", "--trials", "5", "--seed", "3"],
                       capture_output=True, text=True, timeout=300, env=env_with_path(cluster),
                       cwd=SOURCE_DIR)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["trials"] == 10 and len(summary["groups"]) == 2

    # The best it reports is the best of what the groups returned, read
    # again from the cluster.
    results, failed = [], 0
    for group in summary["groups"]:
        g = konduktor(cluster, "group", "results", group, "--return-exceptions")
        assert g.returncode == 0, g.stderr
        for line in g.stdout.splitlines():
            record = json.loads(line)
            if "result" in record:
                results.append(record["result"])
            else:
                failed += 1
                assert "diverged" in record["error"]["reason"]
    assert len(results) + failed == 10 and failed == summary["failed"]
    best = min(results, key=lambda x: x["loss"])
    assert summary["best"] == best
    # Gradient descent on this problem diverges above lr ~0.48.
    assert 0.05 < best["lr"] < 0.48 and best["loss"] < 1e-3


def test_collect_through_the_mounted_tree(cluster, tmp_path):
    mnt = tmp_path / "konduktor"
    mnt.mkdir()
    env = env_with_path(cluster)
    r = konduktor(cluster, "mount", str(mnt), env=env)
    assert r.returncode == 0, r.stderr
    try:
        inputs = '{"lr": 0.01}\n{"lr": 0.1}\n{"lr": 0.9}\n'
        r = konduktor(cluster, "map", "examples/sweep/trial.yaml", "--inputs", "-",
                      input=inputs, cwd=SOURCE_DIR, env=env)
        assert r.returncode == 0, r.stderr
        group = r.stdout.strip()
        # Started at once, the loop waits for the inputs to finish.
        c = subprocess.run([str(EXAMPLES / "collect.sh"), str(mnt), group], capture_output=True,
                           text=True, timeout=120, env=env)
        assert c.returncode == 0, c.stderr
        lines = c.stdout.splitlines()
        assert lines[0] == '0 {"lr":0.01,"loss":0.02993188310666308}'
        assert lines[1] == '1 {"lr":0.1,"loss":7.853129455043196e-05}'
        assert lines[2].startswith("2 failed: JobFailed: exited with code 1: lr 0.9: diverged")
        assert lines[3] == 'best: {"lr":0.1,"loss":7.853129455043196e-05}'
        assert len(lines) == 4
        # What it read is what the CLI says.
        g = konduktor(cluster, "group", "results", group, "--return-exceptions", env=env)
        assert g.returncode == 0, g.stderr
        assert (mnt / group / "results.jsonl").read_text() == g.stdout
    finally:
        subprocess.run(["fusermount3", "-u", "-z", str(mnt)], capture_output=True)
