"""Reading the tree costs no API request: 60 seconds of `ls` every second
(as `watch -n1 ls` does) plus `cat` of every job's status (and result)
file make no request beyond the daemon's watches, counted by the local
cluster — while a job finishes in the middle and the tree shows it, from
the watch alone. Every second also `stat`s every file and reads the
other cached ones: a failed job's `error`, `task.yaml`, and a group's
`status`, `results.jsonl`, `inputs.jsonl` and its inputs' files. The
suite's one long test."""
import os
import subprocess
import time

from fusetools import fs_mount, read, wait_for_file  # noqa: F401
from jobtools import create_job, konduktor, write_task

SECONDS = 60
CACHED_FILES = ("status", "result.json", "error", "task.yaml", "results.jsonl", "inputs.jsonl",
                "input.json")


def cat_cached_files(directory):
    """stat every entry of a job's or group's directory (and of its inputs'
    directories), cat the cached files; returns how many were read."""
    reads = 0
    for entry in os.scandir(directory):
        os.stat(entry.path)
        if entry.is_dir():
            reads += cat_cached_files(entry.path)
        elif entry.name in CACHED_FILES:
            subprocess.run(["cat", entry.path], capture_output=True, check=True)
            reads += 1
    return reads


def test_sixty_seconds_of_reading_cost_no_requests(cluster, fs_mount, tmp_path):
    done = write_task(tmp_path, "done", "echo '{\"ok\": 1}' > \"$KONDUKTOR_OUTPUT_DIR/result.json\"")
    late = write_task(tmp_path, "late", f'while [ ! -e "{tmp_path}/go" ]; do sleep 0.05; done')
    bad = write_task(tmp_path, "bad", "exit 2")
    for task, name in ((done, "done-0000"), (late, "late-1111"), (bad, "bad-2222")):
        create_job(cluster, task, name)
    square = write_task(tmp_path, "sq", "echo \"{\\\"sq\\\": $((n * n))}\" > "
                        "\"$KONDUKTOR_OUTPUT_DIR/result.json\"")
    mapped = konduktor(cluster, "map", str(square), "--inputs", "-", input='{"n": 2}\n{"n": 3}\n')
    assert mapped.returncode == 0, mapped.stderr
    group = mapped.stdout.strip()
    m = fs_mount(cluster)
    root = m.path
    wait_for_file(root / "done-0000" / "status", lambda t: t == "SUCCEEDED\n")
    wait_for_file(root / "bad-2222" / "status", lambda t: t and t.startswith("FAILED"))
    wait_for_file(root / "late-1111" / "status", lambda t: t and t.startswith("RUNNING"))
    wait_for_file(root / group / "status", lambda t: t and t.startswith("SUCCEEDED"))
    wait_for_file(root / group / "results.jsonl", lambda t: t and t.count("\n") == 2)
    assert read(root / group / "1" / "result.json") == '{"sq": 9}\n'

    before = cluster.counters()
    requests_before = cluster.requests_by("konduktor-fs", before)
    assert requests_before > 0  # its first lists: the counters do see it
    started = time.monotonic()
    reads = 0
    for second in range(SECONDS):
        if second == SECONDS // 2:
            (tmp_path / "go").touch()  # a change in the middle
        listing = subprocess.run(["ls", str(root)], capture_output=True, text=True, check=True)
        names = listing.stdout.split()
        assert names == ["bad-2222", "done-0000", group, "late-1111"]
        for name in names:
            reads += cat_cached_files(root / name)
        # Once a second, as watch -n1 does.
        time.sleep(max(0.0, started + second + 1 - time.monotonic()))
    after = cluster.counters()

    assert read(root / "late-1111" / "status") == "SUCCEEDED\n"
    requests = cluster.requests_by("konduktor-fs", after) - requests_before
    new_watches = sum(i["count"] for i in after["items"]
                      if i["watch"] and i["userAgent"].startswith("konduktor-fs")) - sum(
        i["count"] for i in before["items"]
        if i["watch"] and i["userAgent"].startswith("konduktor-fs"))
    print(f"\n{SECONDS} s, {SECONDS} listings and {reads} file reads: {requests} API requests, "
          f"{new_watches} new watches")
    assert requests == 0
    assert new_watches == 0
