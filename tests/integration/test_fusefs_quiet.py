"""Reading the tree costs no API request: 60 seconds of `ls` every second
(as `watch -n1 ls` does) plus `cat` of every job's status (and result)
file make no request beyond the daemon's watches, counted by the local
cluster — while a job finishes in the middle and the tree shows it, from
the watch alone. The suite's one long test."""
import os
import subprocess
import time

from fusetools import fs_mount, read, wait_for_file  # noqa: F401
from jobtools import create_job, write_task

SECONDS = 60


def test_sixty_seconds_of_reading_cost_no_requests(cluster, fs_mount, tmp_path):
    done = write_task(tmp_path, "done", "echo '{\"ok\": 1}' > \"$KONDUKTOR_OUTPUT_DIR/result.json\"")
    late = write_task(tmp_path, "late", f'while [ ! -e "{tmp_path}/go" ]; do sleep 0.05; done')
    bad = write_task(tmp_path, "bad", "exit 2")
    for task, name in ((done, "done-0000"), (late, "late-1111"), (bad, "bad-2222")):
        create_job(cluster, task, name)
    m = fs_mount(cluster)
    root = m.path
    wait_for_file(root / "done-0000" / "status", lambda t: t == "SUCCEEDED\n")
    wait_for_file(root / "bad-2222" / "status", lambda t: t and t.startswith("FAILED"))
    wait_for_file(root / "late-1111" / "status", lambda t: t and t.startswith("RUNNING"))

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
        assert names == ["bad-2222", "done-0000", "late-1111"]
        for name in names:
            subprocess.run(["cat", str(root / name / "status")], capture_output=True, check=True)
            reads += 1
            if os.path.exists(root / name / "result.json"):
                subprocess.run(["cat", str(root / name / "result.json")], capture_output=True,
                               check=True)
                reads += 1
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
