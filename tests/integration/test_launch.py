"""`launch` end to end on a local cluster (issue 4): results through
`launch --wait` from a shell and a Python-stdlib task, each failure outcome
with its exit code, a 2-node task where only rank 0 reports, restarts with
RESTART_ATTEMPT, the default mode that follows rank 0's log, `-d`, a bad
image and an unschedulable task, missing Secrets, the confirmation prompt,
and what a launch leaves behind for `cleanup`. Every task here takes well
under a second."""
import json
import os
import pty
import subprocess
import time

import pytest

from conftest import binary
from jobtools import job_state, konduktor, plugin_env, wait_until, write_task

RESULT = 'echo \'{"val_loss": 0.42}\' > "$KONDUKTOR_OUTPUT_DIR/result.json"'


@pytest.fixture
def cluster(cluster_factory):
    # Failed pods are replaced at once, so that restarts take no time.
    return cluster_factory(args=["--fail-image-pattern", "*invalid*", "--job-backoff", "0s"])


def objects(cluster, plural, group="api/v1"):
    return cluster.api("GET", f"/{group}/namespaces/default/{plural}")["items"]


def test_shell_task_result_is_stdout_exactly(cluster, tmp_path):
    task = write_task(tmp_path, "shell", 'echo "working" >&2\n' + RESULT)
    r = konduktor(cluster, "launch", "--wait", str(task))
    assert r.returncode == 0, r.stderr
    assert r.stdout == '{"val_loss": 0.42}\n'
    name = r.stderr.split("'")[1]
    assert name.startswith("shell-") and len(name) == len("shell-") + 4
    assert name == name.lower() and name.replace("-", "").isalnum()  # DNS-1123
    assert job_state(cluster, name)["outcome"] == "Result"


def test_python_stdlib_task(cluster, tmp_path):
    task = write_task(tmp_path, "py", "python3 - <<'EOF'\n"
                      "import json, os, sys\n"
                      "out = os.path.join(os.environ['KONDUKTOR_OUTPUT_DIR'], 'result.json')\n"
                      "with open(out, 'w') as f:\n"
                      "    json.dump({'python': sys.version_info[0], 'rank': int(os.environ['RANK'])}, f)\n"
                      "EOF")
    r = konduktor(cluster, "launch", "--wait", str(task))
    assert r.returncode == 0, r.stderr
    assert r.stdout == '{"python": 3, "rank": 0}\n'


def test_the_readme_example(cluster):
    """examples/hello.yaml, as scripts/demo.sh and the README launch it."""
    from conftest import SOURCE_DIR
    r = konduktor(cluster, "launch", "--wait", "--yes", "--context", "konduktor-local",
                  str(SOURCE_DIR / "examples" / "hello.yaml"))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert (result["w"], result["b"]) == (2.0, 1.0) and result["loss"] < 1e-20


FAILURES = {
    # name: (run, exit code, the line on stderr)
    "failed": ('echo "step one"\necho "ValueError: bad input" >&2\nexit 3', 10,
               "JobFailed: exited with code 3: ValueError: bad input"),
    "too-large": ('head -c 5000 /dev/zero | tr "\\0" x > "$KONDUKTOR_OUTPUT_DIR/result.json"', 11,
                  "ResultTooLarge: result.json has 5000 bytes, more than the 4096 a termination "
                  "message can carry"),
    "malformed": ('echo "{not json" > "$KONDUKTOR_OUTPUT_DIR/result.json"', 12,
                  "MalformedResult: result.json is not valid JSON"),
    "no-result": ("true", 13,
                  "NoResultReported: the task succeeded without writing "
                  "$KONDUKTOR_OUTPUT_DIR/result.json"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failure_outcomes(cluster, tmp_path, case):
    run, code, line = FAILURES[case]
    task = write_task(tmp_path, case, run)
    r = konduktor(cluster, "launch", "--wait", str(task))
    assert r.returncode == code, r.stderr
    assert r.stdout == ""
    errors = [l for l in r.stderr.splitlines() if l.startswith("error: ")]
    assert len(errors) == 1 and line in errors[0], r.stderr
    if case == "failed":
        # The exit code and reason, then the last lines of the failing pod's log.
        tail = r.stderr.split("---- the last lines of the log of pod ", 1)[1].splitlines()
        assert tail[1:] == ["step one", "ValueError: bad input"]
    # The same outcome again, from the record on the Job.
    name = errors[0].split("'")[1]
    again = konduktor(cluster, "result", name)
    assert (again.returncode, again.stdout) == (code, "")
    assert line in again.stderr


def test_timeout_leaves_the_job_running(cluster, tmp_path):
    task = write_task(tmp_path, "slow", "sleep 30")
    r = konduktor(cluster, "launch", "--wait", "--timeout", "1", str(task))
    assert (r.returncode, r.stdout) == (14, "")
    assert r.stderr.splitlines()[-1].endswith(
        "Timeout: no result within 1 seconds; the job is RUNNING and keeps running")
    name = r.stderr.split("'")[1]
    assert job_state(cluster, name)["state"] == "RUNNING"
    assert "outcome" not in job_state(cluster, name)  # a Timeout is never recorded
    assert konduktor(cluster, "cancel", name).returncode == 0


def test_two_nodes_only_rank_zero_reports(cluster, tmp_path):
    task = write_task(tmp_path, "pair", 'echo "rank $RANK of $NUM_NODES, node $NODE_RANK, '
                      'index $JOB_COMPLETION_INDEX"\n'
                      'echo "{\\"rank\\": $RANK, \\"nodes\\": $NUM_NODES}" '
                      '> "$KONDUKTOR_OUTPUT_DIR/result.json"', num_nodes=2)
    for mode in ("auto", "never"):  # a JobSet; an Indexed Job with a headless Service
        r = konduktor(cluster, "launch", "--wait", "--jobset", mode, str(task))
        assert (r.returncode, r.stdout) == (0, '{"rank": 0, "nodes": 2}\n'), r.stderr
        doc = job_state(cluster, r.stderr.split("'")[1])
        assert doc["workloadKind"] == ("JobSet" if mode == "auto" else "Job")
        assert [i["state"] for i in doc["indexes"]] == ["SUCCEEDED", "SUCCEEDED"]
        for rank in (0, 1):  # each rank's own log
            logs = konduktor(cluster, "logs", doc["metadata"]["name"], "--rank", str(rank))
            assert (logs.returncode, logs.stdout) == (
                0, f"rank {rank} of 2, node {rank}, index {rank}\n"), logs.stderr


def test_restart_attempts(cluster, tmp_path):
    """Attempt 0 fails, attempt 1 succeeds: the default mode follows rank 0
    through both, then prints the result."""
    run = ('echo "attempt $RESTART_ATTEMPT"\n'
           '[ "$RESTART_ATTEMPT" = 1 ] || exit 5\n'
           'echo "{\\"attempt\\": $RESTART_ATTEMPT}" > "$KONDUKTOR_OUTPUT_DIR/result.json"')
    task = write_task(tmp_path, "flaky", run, max_restarts=1)
    r = konduktor(cluster, "launch", str(task))
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'attempt 0\nattempt 1\n{"attempt": 1}\n'
    assert "---- rank 0, attempt 2 (pod flaky-" in r.stderr
    doc = job_state(cluster, r.stderr.split("'")[1])
    assert (doc["restarts"], doc["indexes"][0]["attempts"]) == (1, 2)
    # Without restarts left, the first failure ends it.
    r = konduktor(cluster, "launch", "--wait", "--max-restarts", "0", str(task))
    assert r.returncode == 10 and "exited with code 5" in r.stderr


def test_default_mode_follows_the_log_and_exits_with_the_outcome(cluster, tmp_path):
    task = write_task(tmp_path, "chatty", 'for i in 1 2 3; do echo "line $i"; sleep 0.1; done\n'
                      'exit 4')
    r = konduktor(cluster, "launch", str(task))
    assert r.returncode == 10
    assert r.stdout == "line 1\nline 2\nline 3\n"
    assert "rank 0's log follows" in r.stderr.splitlines()[0]


def test_detach_prints_the_name_and_logs_follow_to_the_end(cluster, tmp_path):
    task = write_task(tmp_path, "bg", 'echo first\nsleep 0.5\necho second\n' + RESULT)
    r = konduktor(cluster, "launch", "-d", str(task))
    assert r.returncode == 0 and r.stderr == ""
    name = r.stdout.strip()
    assert r.stdout == name + "\n" and name.startswith("bg-")
    follow = konduktor(cluster, "logs", "-f", name)
    assert (follow.returncode, follow.stdout) == (0, "first\nsecond\n"), follow.stderr
    assert job_state(cluster, name)["state"] == "SUCCEEDED"
    assert konduktor(cluster, "logs", name, "--tail", "1").stdout == "second\n"
    r = konduktor(cluster, "logs", name, "--rank", "1")
    assert r.returncode == 1 and "has 1 rank: there is no rank 1" in r.stderr


def test_logs_follow_waits_for_a_pod_that_starts_later(cluster, tmp_path):
    """A pod that cannot start yet (it needs more CPU than is free) is
    waited for; once room comes, its log is followed to the job's end."""
    hog = write_task(tmp_path, "hog", "sleep 1.5", cpus=1.5)
    late = write_task(tmp_path, "late", "echo ran\n" + RESULT, cpus=1)
    hog_name = konduktor(cluster, "launch", "-d", str(hog)).stdout.strip()
    wait_until(lambda: job_state(cluster, hog_name)["state"] == "RUNNING", what="hog running")
    late_name = konduktor(cluster, "launch", "-d", str(late)).stdout.strip()
    follow = konduktor(cluster, "logs", "-f", late_name)
    assert (follow.returncode, follow.stdout) == (0, "ran\n"), follow.stderr
    assert "Insufficient cpu" in follow.stderr


def test_bad_image_and_unschedulable(cluster, tmp_path):
    task = write_task(tmp_path, "img", RESULT)
    r = konduktor(cluster, "launch", "--wait", "--timeout", "120", "--image-id",
                  "registry.example/invalid:2", str(task))
    assert r.returncode == 10 and r.stdout == ""
    assert "cannot start: image cannot be pulled" in r.stderr
    bad = r.stderr.split("'")[1]
    doc = job_state(cluster, bad)
    assert (doc["state"], doc["reason"], doc["stuck"]) == ("PENDING", "ImagePull", True)

    # launch --wait says at once that a job is unschedulable, and waits on
    # (room may come): here until it is cancelled.
    waiter = subprocess.Popen([binary("kubectl-konduktor"), "launch", "--wait", "--cpus", "500",
                               str(task)], env=plugin_env(cluster), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    huge = waiter.stderr.readline().split("'")[1]
    notice = waiter.stderr.readline()
    assert notice.startswith(f"job '{huge}' is waiting for room: unschedulable: "), notice
    assert "Insufficient cpu" in notice and "--timeout bounds the wait" in notice
    doc = job_state(cluster, huge)
    assert (doc["state"], doc["reason"]) == ("PENDING", "Unschedulable")
    assert "Insufficient cpu" in doc["message"]
    assert waiter.poll() is None
    assert konduktor(cluster, "cancel", huge).returncode == 0
    out, err = waiter.communicate(timeout=60)
    assert (waiter.returncode, out) == (16, ""), err
    # launch (following) ends at once for a job that cannot start.
    r = konduktor(cluster, "launch", "--image-id", "invalid", str(task))
    assert r.returncode == 10 and "image cannot be pulled" in r.stderr


@pytest.mark.parametrize("nodes", [1, 2])  # a Job; a JobSet
def test_cancel_stops_the_processes(cluster, tmp_path, nodes):
    marker = f"1000.{os.getpid()}{time.monotonic_ns() % 100000}"
    task = write_task(tmp_path, "long", f"echo started\nsleep {marker}")

    def running():
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                        found.append(pid)
            except OSError:
                pass
        return found

    name = konduktor(cluster, "launch", "-d", "--num-nodes", str(nodes), str(task)).stdout.strip()
    wait_until(lambda: len(running()) == nodes, what="the task's processes")
    follower = subprocess.Popen([binary("kubectl-konduktor"), "logs", "-f", name],
                                env=plugin_env(cluster), stdout=subprocess.PIPE, text=True)
    # Cancelling deletes the pods, and their logs with them: the follower
    # must be attached (it has printed the first line) before the cancel.
    assert follower.stdout.readline() == "started\n"
    r = konduktor(cluster, "cancel", name)
    assert (r.returncode, r.stdout) == (0, f"job '{name}' cancelled\n"), r.stderr
    assert running() == []  # gone when cancel returns
    assert follower.wait(timeout=60) == 0  # logs -f ends with the job
    follower.stdout.read()
    doc = job_state(cluster, name)
    assert (doc["state"], doc["reason"]) == ("FAILED", "Cancelled")
    assert konduktor(cluster, "result", name).returncode == 16
    assert konduktor(cluster, "wait", name).returncode == 16
    r = konduktor(cluster, "cancel", name)
    assert r.returncode == 0  # again: nothing left to stop


def test_result_survives_the_pods(cluster, tmp_path):
    task = write_task(tmp_path, "keep", RESULT)
    r = konduktor(cluster, "launch", "--wait", str(task))
    name = r.stderr.split("'")[1]
    cluster.api("DELETE", "/api/v1/namespaces/default/pods?labelSelector=konduktor.io%2Fjob-name"
                f"%3D{name}")
    wait_until(lambda: not objects(cluster, "pods"), what="pods deleted")
    r = konduktor(cluster, "result", name)
    assert (r.returncode, r.stdout) == (0, '{"val_loss": 0.42}\n')


def test_workdir_objects_are_owned_and_cleaned_up(cluster, tmp_path):
    work = tmp_path / "src"
    work.mkdir()
    (work / "value.txt").write_text("17\n")
    task = write_task(tmp_path, "files", 'echo "{\\"value\\": $(cat value.txt)}" > '
                      '"$KONDUKTOR_OUTPUT_DIR/result.json"', extra="workdir: ./src\n")
    r = konduktor(cluster, "launch", "--wait", "--jobset", "never", "--num-nodes", "2",
                  str(task), cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, '{"value": 17}\n'), r.stderr
    name = r.stderr.split("'")[1]
    job = cluster.api("GET", f"/apis/batch/v1/namespaces/default/jobs/{name}")
    for kind, plural in (("ConfigMap", "configmaps"), ("Service", "services")):
        [obj] = [o for o in objects(cluster, plural)
                 if o["metadata"].get("labels", {}).get("konduktor.io/job-name") == name]
        assert obj["metadata"]["ownerReferences"] == [{
            "apiVersion": "batch/v1", "kind": "Job", "name": name,
            "uid": job["metadata"]["uid"]}], kind
    r = konduktor(cluster, "cleanup", name)
    assert (r.returncode, r.stdout) == (0, f"job '{name}' deleted, with everything it created\n")

    def gone():
        return not any(o["metadata"].get("labels", {}).get("konduktor.io/job-name") == name
                       for p in ("configmaps", "services", "pods") for o in objects(cluster, p))
    wait_until(gone, what="the job's objects to go")
    r = konduktor(cluster, "cleanup", name)
    assert (r.returncode, r.stdout) == (
        0, f"job '{name}' does not exist in namespace 'default'; nothing to clean up\n")
    assert konduktor(cluster, "status", name).returncode == 3


def test_secrets(cluster, tmp_path):
    task = write_task(tmp_path, "creds", 'printf \'{"key": "%s"}\' "$(cat ~/.aws/credentials)" '
                      '> "$KONDUKTOR_OUTPUT_DIR/result.json"')
    r = konduktor(cluster, "launch", "--wait", "--secret", "aws-creds:aws", str(task))
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (
        "error: launch: Secret 'aws-creds' (named by --secret) does not exist in namespace "
        "'default'; create it first (e.g. kubectl create secret generic aws-creds -n default "
        "--from-file=...); nothing was created\n")
    assert objects(cluster, "configmaps") == []
    assert objects(cluster, "jobs", "apis/batch/v1") == []
    cluster.api("POST", "/api/v1/namespaces/default/secrets", {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "aws-creds"},
        "stringData": {"credentials": "s3cr3t"}})
    r = konduktor(cluster, "launch", "--wait", "--secret", "aws-creds:aws", str(task))
    assert (r.returncode, r.stdout) == (0, '{"key": "s3cr3t"}\n'), r.stderr
    # The user config's Secrets are checked the same way.
    config = tmp_path / "config.yaml"
    config.write_text("secrets:\n  - {name: gcloud, mount: gcp}\n")
    r = konduktor(cluster, "launch", "--wait", str(task),
                  env=plugin_env(cluster, KONDUKTOR_CONFIG=str(config)))
    assert r.returncode == 1
    assert f"Secret 'gcloud' (named in config '{config}') does not exist" in r.stderr


def test_confirmation_on_a_terminal(cluster, tmp_path):
    task = write_task(tmp_path, "ask", RESULT)

    def on_terminal(answer):
        pid, fd = pty.fork()
        if pid == 0:
            env = plugin_env(cluster)
            os.execve(binary("kubectl-konduktor"),
                      ["kubectl-konduktor", "launch", "-d", str(task)], env)
        seen = b""
        while b"Proceed? [Y/n] " not in seen:
            chunk = os.read(fd, 4096)
            assert chunk, seen
            seen += chunk
        os.write(fd, answer)
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), seen.decode()

    code, text = on_terminal(b"n\n")
    assert code == 1 and "not confirmed; nothing was created" in text
    assert "Launching task 'ask' as job 'ask-" in text
    assert "1 node, 100m CPU, 1 GiB memory, image busybox:1.36" in text
    assert objects(cluster, "jobs", "apis/batch/v1") == []
    code, text = on_terminal(b"\n")  # Enter means yes
    assert code == 0
    assert len(objects(cluster, "jobs", "apis/batch/v1")) == 1


def test_flag_errors(cluster, tmp_path):
    task = write_task(tmp_path, "flags", RESULT)
    for args, message in (
            (["-d", "--wait"], "launch: choose one of -d/--detach, --wait and --dry-run"),
            (["-o", "json"], "launch: -o needs --dry-run"),
            (["--dry-run=maybe"], "launch: --dry-run: unknown value 'maybe' (use client or server)"),
            (["--dry-run", "-o", "wide"], "launch: unknown output format 'wide' (use json, yaml)"),
            (["--jobset", "sometimes"], "launch: --jobset: unknown value 'sometimes'"),
            (["-d", "--timeout", "5"], "launch: --timeout bounds the wait, and --detach does not"),
            (["--cpus", "4 vCPU"], "--cpus: invalid value '4 vCPU'")):
        r = konduktor(cluster, "launch", *args, str(task))
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith("error: " + message), (args, r.stderr)
        assert r.stderr.count("\n") == 1
    assert objects(cluster, "jobs", "apis/batch/v1") == []


def files_task(tmp_path):
    work = tmp_path / "src"
    work.mkdir(exist_ok=True)
    (work / "data.txt").write_text("x\n")
    return write_task(tmp_path, "shipped", RESULT, extra="workdir: ./src\n")


def test_a_failed_launch_takes_back_what_it_created(cluster, tmp_path):
    task = files_task(tmp_path)
    cluster.set_faults([{"status": 500, "share": 1, "verb": "create", "resource": "jobs"}])
    r = konduktor(cluster, "launch", "-d", str(task), cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("error: launch: creating Job 'shipped-")
    assert objects(cluster, "configmaps") == []  # the ConfigMap created first is gone again

    # When even that fails, cleanup finds the leftover by its labels.
    cluster.set_faults([{"status": 500, "share": 1, "verb": "create", "resource": "jobs"},
                        {"status": 500, "share": 1, "verb": "delete", "resource": "configmaps"}])
    r = konduktor(cluster, "launch", "-d", str(task), cwd=tmp_path)
    assert r.returncode == 1
    name = r.stderr.split("'")[1]
    [leftover] = objects(cluster, "configmaps")
    cluster.clear_faults()
    r = konduktor(cluster, "cleanup", name)
    assert (r.returncode, r.stdout) == (
        0, f"job '{name}' did not exist; deleted 1 object its launch left behind\n")
    assert objects(cluster, "configmaps") == []


def test_a_taken_name_is_tried_again_with_another(cluster, tmp_path):
    """A create answered 409 (the random name is taken) is retried under a
    new name, after taking back what the attempt created; three taken names
    in a row end the launch."""
    task = files_task(tmp_path)
    # Every second create of a Job finds its name taken: the second launch's first.
    cluster.set_faults([{"status": 409, "share": 0.5, "verb": "create", "resource": "jobs"}])
    first = konduktor(cluster, "launch", "-d", str(task), cwd=tmp_path).stdout.strip()
    r = konduktor(cluster, "launch", "-d", str(task), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    second = r.stdout.strip()
    [rule] = cluster.faults()["errors"]
    assert (rule["matched"], rule["injected"]) == (3, 1)
    jobs = sorted(j["metadata"]["name"] for j in objects(cluster, "jobs", "apis/batch/v1"))
    assert jobs == sorted([first, second])
    # The ConfigMap of the attempt whose name was taken is gone again.
    assert sorted(c["metadata"]["name"] for c in objects(cluster, "configmaps")) == sorted(
        [f"{first}-files", f"{second}-files"])

    cluster.set_faults([{"status": 409, "verb": "create", "resource": "jobs"}])
    r = konduktor(cluster, "launch", "-d", str(task), cwd=tmp_path)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith("error: launch: creating Job 'shipped-"), r.stderr
    assert "already exists" in r.stderr and r.stderr.count("\n") == 1
    assert cluster.faults()["errors"][0]["injected"] == 3
    cluster.clear_faults()
    assert len(objects(cluster, "jobs", "apis/batch/v1")) == 2
    assert len(objects(cluster, "configmaps")) == 2


def test_owner_reference_failure_says_how_to_clean_up(cluster, tmp_path):
    task = files_task(tmp_path)
    cluster.set_faults([{"status": 500, "share": 1, "verb": "patch", "resource": "configmaps"}])
    r = konduktor(cluster, "launch", "-d", str(task), cwd=tmp_path)
    assert r.returncode == 1
    name = r.stderr.split("'kubectl konduktor cleanup ")[1].split("'")[0]
    assert r.stderr.startswith(f"error: launch: cannot make ConfigMap '{name}-files' owned by "
                               f"the job (delete it with 'kubectl konduktor cleanup {name}')")
    cluster.clear_faults()
    assert konduktor(cluster, "cleanup", name).returncode == 0
    wait_until(lambda: not objects(cluster, "configmaps"), what="the ConfigMap to go")
