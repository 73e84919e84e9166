"""konduktor-fs's tree, mounted for real against a local cluster, with
`kubectl konduktor launch` making the jobs: a job that reports a result,
one that fails, a 2-node job (a JobSet) with ranks/; every file's
content (result.json exactly as `kubectl konduktor result` prints it, error
in the words `result` uses); stable inode numbers; writes refused; a
deleted job's directory disappearing; jobs konduktor did not make left
out."""
import errno
import os
import stat
import subprocess

from fusetools import EROFS, errno_of, fs_mount, read, wait_for_file  # noqa: F401
from jobtools import create_job, konduktor, write_task


def launch(cluster, task):
    r = konduktor(cluster, "launch", "-d", str(task))
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()

OK_RUN = """echo starting
echo '{"loss": 0.5}' > "$KONDUKTOR_OUTPUT_DIR/result.json"
echo done"""
FAIL_RUN = """echo about to fail
echo 'ValueError: bad lr' >&2
exit 3"""
RANKS_RUN = """echo "rank $RANK of $NUM_NODES"
if [ "$RANK" = 0 ]; then echo '[1, 2]' > "$KONDUKTOR_OUTPUT_DIR/result.json"; fi"""


def ended(text):
    return text is not None and text.split("\n")[0] in ("SUCCEEDED", "FAILED")


def test_the_tree_of_finished_jobs(cluster, fs_mount, tmp_path):
    ok = write_task(tmp_path, "ok", OK_RUN)
    bad = write_task(tmp_path, "bad", FAIL_RUN)
    ranks = write_task(tmp_path, "ranks", RANKS_RUN, num_nodes=2)
    ok_job, bad_job, ranks_job = launch(cluster, ok), launch(cluster, bad), launch(cluster, ranks)

    # As a user runs it: returns once mounted, serves in the background.
    m = fs_mount(cluster, foreground=False)
    root = m.path
    assert sorted(os.listdir(root)) == sorted([ok_job, bad_job, ranks_job])
    for name in (ok_job, bad_job, ranks_job):
        wait_for_file(root / name / "status", ended)

    # A result.
    job = root / ok_job
    assert sorted(os.listdir(job)) == ["logs", "result.json", "status", "task.yaml"]
    assert read(job / "status") == "SUCCEEDED\n"
    result = konduktor(cluster, "result", ok_job)
    assert result.returncode == 0, result.stderr
    assert read(job / "result.json") == result.stdout == '{"loss": 0.5}\n'
    assert read(job / "task.yaml") == ok.read_text()
    assert read(job / "logs") == "starting\ndone\n"
    st = os.stat(job / "result.json")
    assert stat.S_IMODE(st.st_mode) == 0o444 and st.st_size == len('{"loss": 0.5}\n')
    assert stat.S_IMODE(os.stat(job).st_mode) == 0o555
    assert st.st_uid == os.getuid()
    # As a user looks for results with grep over a glob of the tree.
    found = subprocess.run(["sh", "-c", f"grep -l '\"loss\"' {root}/*/result.json"],
                           capture_output=True, text=True)
    assert found.stdout == f"{job / 'result.json'}\n", found

    # A failure: no result.json, an error in `result`'s words.
    job = root / bad_job
    assert sorted(os.listdir(job)) == ["error", "logs", "status", "task.yaml"]
    assert read(job / "status") == "FAILED\nBackoffLimitExceeded: exited with code 3 after 1 attempt\n"
    error = read(job / "error")
    assert error.startswith("JobFailed\nexited with code 3: ValueError: bad lr\n\n"), error
    assert "about to fail" in error and error.endswith("ValueError: bad lr\n")
    result = konduktor(cluster, "result", bad_job)
    assert result.returncode == 10
    assert error.split("\n")[1] in result.stderr
    assert "about to fail" in read(job / "logs")

    # Two nodes: ranks/, rank 0 reports.
    job = root / ranks_job
    assert sorted(os.listdir(job)) == ["logs", "ranks", "result.json", "status", "task.yaml"]
    assert sorted(os.listdir(job / "ranks")) == ["0", "1"]
    assert sorted(os.listdir(job / "ranks" / "1")) == ["logs", "status"]
    assert read(job / "result.json") == "[1, 2]\n"
    assert read(job / "ranks" / "0" / "status") == "SUCCEEDED\n"
    assert read(job / "ranks" / "1" / "status") == "SUCCEEDED\n"
    assert read(job / "ranks" / "1" / "logs") == "rank 1 of 2\n"
    assert read(job / "logs") == "rank 0 of 2\n"
    assert os.stat(job).st_nlink == 3 and os.stat(job / "ranks").st_nlink == 4

    # Inode numbers: readdir agrees with stat, and a new daemon gives a
    # path the same number.
    numbers = {e.name: e.inode() for e in os.scandir(job)}
    assert numbers["status"] == os.stat(job / "status").st_ino
    m.unmount()
    m = fs_mount(cluster, name="again")
    assert os.stat(m.path / ranks_job / "status").st_ino == numbers["status"]


def test_writes_are_refused_and_a_deleted_job_disappears(cluster, fs_mount, tmp_path):
    task = write_task(tmp_path, "ok", OK_RUN)
    create_job(cluster, task, "ok-a1b2")
    # A Job (and its pod) that kubectl-konduktor did not make: not shown.
    cluster.api("POST", "/apis/batch/v1/namespaces/default/jobs", {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "not-ours"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
            {"name": "c", "image": "busybox", "command": ["true"]}]}}}})
    m = fs_mount(cluster)
    job = m.path / "ok-a1b2"
    wait_for_file(job / "status", ended)
    assert os.listdir(m.path) == ["ok-a1b2"]

    def write_existing():
        with open(job / "status", "w") as f:
            f.write("x")

    def append():
        with open(job / "status", "a") as f:
            f.write("x")

    def create():
        with open(job / "new", "w") as f:
            f.write("x")

    for attempt in (write_existing, append, create, lambda: os.mkdir(m.path / "new"),
                    lambda: os.remove(job / "status"), lambda: os.rmdir(job),
                    lambda: os.rename(job / "status", job / "other"),
                    lambda: os.chmod(job / "status", 0o644),
                    lambda: os.truncate(job / "result.json", 0),
                    lambda: os.symlink("status", job / "link")):
        assert errno_of(attempt) == EROFS, attempt
    assert read(job / "status") == "SUCCEEDED\n"
    assert errno_of(lambda: open(m.path / "no-such-job" / "status")) == errno.ENOENT

    # Private: no allow_other unless asked.
    with open("/proc/self/mountinfo") as f:
        line = [x for x in f if f" {m.path} " in x][0]
    assert "allow_other" not in line and " ro," in line

    cluster.kubectl("delete", "job", "ok-a1b2")
    wait_for_file(job / "status", lambda text: text is None)
    assert os.listdir(m.path) == []
