"""konduktor-fs when the API server is gone: cached files stay readable, a
log read that needs the server fails with EIO within the request timeout
(server stopped, or hanging), the mount never hangs; and the tree catches
up afterwards with everything that happened meanwhile — after a restart
from the state directory, and after a gap the watch history no longer
covers (410, relist)."""
import os
import signal
import time

from fusetools import EIO, errno_of, fs_mount, read, wait_for_file  # noqa: F401
from jobtools import create_job, write_task

REQUEST_TIMEOUT_S = 2
# Generous: EIO must come "within the request timeout"; the machine is shared.
EIO_BOUND_S = REQUEST_TIMEOUT_S + 8

OK_RUN = """echo hello
echo '{"v": 1}' > "$KONDUKTOR_OUTPUT_DIR/result.json\""""


def waiting_run(path):
    return (f'echo waiting\nwhile [ ! -e "{path}" ]; do sleep 0.02; done\n'
            'echo \'{"late": true}\' > "$KONDUKTOR_OUTPUT_DIR/result.json"')


def first_line(path):
    text = read(path)
    return text.split("\n")[0] if text else None


def timed_errno(fn):
    started = time.monotonic()
    code = errno_of(fn)
    return code, time.monotonic() - started


def cat(path):
    with open(path) as f:
        return f.read()


def test_server_stopped_then_restarted(cluster_factory, fs_mount, tmp_path):
    cluster = cluster_factory(state_dir=True)
    create_job(cluster, write_task(tmp_path, "done", OK_RUN), "done-0000")
    create_job(cluster, write_task(tmp_path, "gone", OK_RUN), "gone-1111")
    create_job(cluster, write_task(tmp_path, "late", waiting_run(tmp_path / "finish")), "late-2222")
    m = fs_mount(cluster, "--request-timeout", f"{REQUEST_TIMEOUT_S}s")
    root = m.path
    for name in ("done-0000", "gone-1111"):
        wait_for_file(root / name / "status", lambda t: t == "SUCCEEDED\n")
    wait_for_file(root / "late-2222" / "status", lambda t: t and t.startswith("RUNNING"))

    cluster.stop()
    # The late job's pod was stopped with the node; the cached tree is
    # still there to read.
    assert sorted(os.listdir(root)) == ["done-0000", "gone-1111", "late-2222"]
    assert read(root / "done-0000" / "result.json") == '{"v": 1}\n'
    assert read(root / "done-0000" / "status") == "SUCCEEDED\n"
    assert first_line(root / "late-2222" / "status") in ("RUNNING", "PENDING")
    code, took = timed_errno(lambda: cat(root / "late-2222" / "logs"))
    print(f"\nlog read with the API server stopped: errno {code} after {took * 1000:.0f} ms")
    assert code == EIO and took < EIO_BOUND_S

    # While it is down the job is allowed to finish; after the restart its
    # pod is replaced (a node shutdown is not the task's failure) and
    # completes. Meanwhile a job is deleted and the watch history is gone.
    (tmp_path / "finish").touch()
    cluster.start()
    cluster.expire_history()
    cluster.kubectl("delete", "job", "gone-1111")
    wait_for_file(root / "late-2222" / "status", lambda t: t == "SUCCEEDED\n")
    assert read(root / "late-2222" / "result.json") == '{"late": true}\n'
    wait_for_file(root / "gone-1111" / "status", lambda t: t is None)
    assert sorted(os.listdir(root)) == ["done-0000", "late-2222"]
    assert read(root / "done-0000" / "status") == "SUCCEEDED\n"
    assert "waiting" in read(root / "late-2222" / "logs")


def test_a_gap_the_history_cannot_cover(cluster, fs_mount, tmp_path):
    create_job(cluster, write_task(tmp_path, "old", OK_RUN), "old-0000")
    create_job(cluster, write_task(tmp_path, "late", waiting_run(tmp_path / "finish")), "late-1111")
    m = fs_mount(cluster)
    root = m.path
    wait_for_file(root / "old-0000" / "status", lambda t: t == "SUCCEEDED\n")
    wait_for_file(root / "late-1111" / "status", lambda t: t and t.startswith("RUNNING"))

    # The daemon hears nothing while things happen, then its watches break
    # and cannot resume (410): it must list again and reconcile.
    m.signal(signal.SIGSTOP)
    try:
        (tmp_path / "finish").touch()
        cluster.kubectl("delete", "job", "old-0000")
        create_job(cluster, write_task(tmp_path, "new", OK_RUN), "new-2222")
        deadline = time.monotonic() + 60
        while "Complete" not in cluster.kubectl("get", "job", "late-1111", "-o",
                                                "jsonpath={.status.conditions[*].type}").stdout:
            assert time.monotonic() < deadline, "the late job did not complete"
            time.sleep(0.05)
        cluster.expire_history()
        cluster.drop_watches()
    finally:
        m.signal(signal.SIGCONT)
    wait_for_file(root / "late-1111" / "status", lambda t: t == "SUCCEEDED\n")
    wait_for_file(root / "new-2222" / "status", lambda t: t == "SUCCEEDED\n")
    wait_for_file(root / "old-0000" / "status", lambda t: t is None)
    assert sorted(os.listdir(root)) == ["late-1111", "new-2222"]
    assert read(root / "late-1111" / "result.json") == '{"late": true}\n'


def test_logs_fail_fast_while_the_server_hangs(cluster, fs_mount, tmp_path):
    create_job(cluster, write_task(tmp_path, "late", waiting_run(tmp_path / "finish")), "late-0000")
    m = fs_mount(cluster, "--request-timeout", f"{REQUEST_TIMEOUT_S}s")
    job = m.path / "late-0000"
    wait_for_file(job / "status", lambda t: t and t.startswith("RUNNING"))
    cluster.pause()  # connections are accepted, nothing is answered
    try:
        code, took = timed_errno(lambda: cat(job / "logs"))
        print(f"\nlog read with the API server hanging: errno {code} after {took * 1000:.0f} ms")
        assert code == EIO and took < EIO_BOUND_S
        assert first_line(job / "status") == "RUNNING"
        assert os.listdir(m.path) == ["late-0000"]
    finally:
        cluster.unpause()
    # Once it answers again, the log can be read.
    deadline = time.monotonic() + 30
    while True:
        try:
            if cat(job / "logs") == "waiting\n":
                break
        except OSError as e:
            assert e.errno == EIO
        assert time.monotonic() < deadline, "the log never came back"
        time.sleep(0.2)
    (tmp_path / "finish").touch()
    wait_for_file(job / "status", lambda t: t == "SUCCEEDED\n")
