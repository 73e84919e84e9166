"""konduktor-fs keeps up with the cluster: a job's status goes PENDING
(unschedulable: the node is full) -> RUNNING -> SUCCEEDED as repeated reads
of its status file show, each change measured against the API event that
caused it (printed; asserted only with a generous bound — the machine is
shared); `tail -f logs` sees lines written after it started, and the
file's size and modification time grow with them."""
import os
import pathlib
import select
import subprocess
import threading
import time

from fusetools import fs_mount, read, wait_for_file  # noqa: F401
from jobtools import create_job, write_task

# Generous: the property is "within a second"; the bound only catches a
# daemon that does not follow at all.
DELAY_BOUND_S = 10


def wait_file_cmd(path, then=""):
    return f'while [ ! -e "{path}" ]; do sleep 0.02; done\n{then}'


def read_line(proc, timeout=30):
    """The next line of a process's binary stdout, or fail after timeout."""
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        assert left > 0, f"no line within {timeout}s (got {line!r})"
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 1)
            assert chunk, f"the output ended (got {line!r})"
            line += chunk
    return line.decode()


class EventLog(threading.Thread):
    """Every watch event of a collection, with the time it arrived; the
    stream ends when the cluster stops."""

    def __init__(self, cluster, path):
        super().__init__(daemon=True)
        self.stream = cluster.watch(path, timeout=300)
        self.events = []
        self.lock = threading.Lock()

    def run(self):
        try:
            for event in self.stream:
                with self.lock:
                    self.events.append((time.monotonic(), event))
        except Exception:  # the stream is closed at the end of the test
            pass

    def first(self, predicate):
        with self.lock:
            for when, event in self.events:
                if predicate(event["object"]):
                    return when
        return None


def test_status_follows_the_job(cluster_factory, fs_mount, tmp_path):
    cluster = cluster_factory(args=["--node-cpu", "1"])
    pods = EventLog(cluster, "/api/v1/namespaces/default/pods")
    jobs = EventLog(cluster, "/apis/batch/v1/namespaces/default/jobs")
    pods.start()
    jobs.start()
    m = fs_mount(cluster)

    # A job that takes the whole node until told to finish.
    blocker = write_task(tmp_path, "blocker", wait_file_cmd(tmp_path / "free"), cpus=1)
    create_job(cluster, blocker, "blocker-0000")
    wait_for_file(m.path / "blocker-0000" / "status", lambda t: t and t.startswith("RUNNING"))

    target = write_task(tmp_path, "target", wait_file_cmd(
        tmp_path / "finish", "echo '{\"done\": true}' > \"$KONDUKTOR_OUTPUT_DIR/result.json\""),
        cpus=0.5)
    create_job(cluster, target, "target-1111")
    status = m.path / "target-1111" / "status"
    pending = wait_for_file(status, lambda t: t and "Unschedulable" in t)
    assert pending.startswith("PENDING\nUnschedulable: ")
    assert "Insufficient cpu" in pending

    def is_target_pod(obj):
        return obj["metadata"].get("labels", {}).get("konduktor.io/job-name") == "target-1111"

    def running(obj):
        return is_target_pod(obj) and obj.get("status", {}).get("phase") == "Running"

    def complete(obj):
        return obj["metadata"]["name"] == "target-1111" and any(
            c["type"] == "Complete" and c["status"] == "True"
            for c in obj.get("status", {}).get("conditions", []))

    (tmp_path / "free").touch()
    wait_for_file(status, lambda t: t and t.startswith("RUNNING"), interval=0.005)
    seen_running = time.monotonic()
    assert not (m.path / "target-1111" / "result.json").exists()
    (tmp_path / "finish").touch()
    wait_for_file(status, lambda t: t == "SUCCEEDED\n", interval=0.005)
    seen_succeeded = time.monotonic()
    assert read(m.path / "target-1111" / "result.json") == '{"done": true}\n'

    delays = {"RUNNING": seen_running - pods.first(running),
              "SUCCEEDED": seen_succeeded - jobs.first(complete)}
    print("\nAPI event -> status file: " +
          ", ".join(f"{state} {delay * 1000:.0f} ms" for state, delay in delays.items()))
    for state, delay in delays.items():
        assert 0 <= delay < DELAY_BOUND_S, (state, delay)
    # The watch streams end when the cluster stops.


def test_tail_follows_a_running_jobs_log(cluster, fs_mount, tmp_path):
    lines = "\n".join(wait_file_cmd(tmp_path / f"line{i}", f'echo "line {i}"') for i in range(3))
    task = write_task(tmp_path, "talker", lines)
    m = fs_mount(cluster)
    (tmp_path / "line0").touch()
    create_job(cluster, task, "talker-2222")
    logs = m.path / "talker-2222" / "logs"
    wait_for_file(m.path / "talker-2222" / "status", lambda t: t and t.startswith("RUNNING"))
    wait_for_file(logs, lambda t: t == "line 0\n")

    first = os.stat(logs)
    assert first.st_size == len("line 0\n")
    tail = subprocess.Popen(["tail", "-s", "0.1", "-f", str(logs)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        assert read_line(tail) == "line 0\n"
        for i in (1, 2):
            (tmp_path / f"line{i}").touch()
            # Written after tail started: it must show up.
            assert read_line(tail) == f"line {i}\n"
    finally:
        tail.kill()
        tail.wait()
    # The size and modification time grew as the lines arrived.
    grown = os.stat(logs)
    assert grown.st_size == len("line 0\nline 1\nline 2\n")
    assert grown.st_mtime_ns > first.st_mtime_ns
    wait_for_file(m.path / "talker-2222" / "status", lambda t: t == "SUCCEEDED\n")
    # A finished job's log reads completely and ends.
    assert read(logs) == "line 0\nline 1\nline 2\n"
    assert pathlib.Path(logs).stat().st_size == len("line 0\nline 1\nline 2\n")
