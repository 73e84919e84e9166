"""`status`, `list`, `wait` and `result` over jobs on a local cluster, and
the shared cluster layer under them (plugin/kcluster.c): output formats,
NOT_FOUND, label-selected listing, reasons a person can act on (an image
that cannot be pulled, an unschedulable pod), waiting by watching, a
result recorded on the Job, completion of job names, and the errors when
there is no cluster. The jobs here are created without `launch`
(test_launch.py covers it), straight from render-manifests' objects."""
import json

import pytest
import yaml

from conftest import binary
from jobtools import (create_job, job_state, konduktor, plugin_env, wait_until, write_task)

RESULT = 'echo \'{"ok": true}\' > "$KONDUKTOR_OUTPUT_DIR/result.json"'


@pytest.fixture
def cluster(cluster_factory):
    return cluster_factory(args=["--fail-image-pattern", "*invalid*"])


@pytest.fixture
def three_jobs(cluster, tmp_path):
    """A job that succeeded, one whose image cannot be pulled, and one
    asking for more CPUs than the node has."""
    ok = write_task(tmp_path, "ok", RESULT)
    create_job(cluster, ok, "ok-1")
    create_job(cluster, ok, "badimage-1", "--image-id", "registry.example/invalid:1")
    create_job(cluster, ok, "huge-1", "--cpus", "5000")
    r = konduktor(cluster, "wait", "ok-1", "--timeout", "60")
    assert (r.returncode, r.stdout) == (0, "succeeded\n"), r.stderr
    return ["badimage-1", "huge-1", "ok-1"]


def test_reasons_are_shown_at_once(cluster, three_jobs):
    bad = wait_until(lambda: (s := job_state(cluster, "badimage-1")) and
                     s["reason"] == "ImagePull" and s, what="ImagePull")
    assert bad["state"] == "PENDING" and bad["stuck"] is True
    assert "registry.example/invalid:1" in bad["message"]
    huge = wait_until(lambda: (s := job_state(cluster, "huge-1")) and
                      s["reason"] == "Unschedulable" and s, what="Unschedulable")
    assert huge["state"] == "PENDING" and huge["stuck"] is False
    assert "Insufficient cpu" in huge["message"]

    r = konduktor(cluster, "status")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATE", "REASON", "AGE", "MESSAGE"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["ok-1"][1:3] == ["SUCCEEDED", "<none>"]
    assert rows["badimage-1"][1:3] == ["PENDING", "ImagePull"]
    assert rows["huge-1"][1:3] == ["PENDING", "Unschedulable"]


def test_list_formats(cluster, three_jobs):
    r = konduktor(cluster, "list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATE", "REASON", "NODES", "RESTARTS", "AGE"]
    assert [line.split()[0] for line in lines[1:]] == three_jobs  # sorted
    # Columns line up: every row's STATE starts where the header's does.
    column = lines[0].index("STATE")
    assert all(line[column - 3:column] == "   " and line[column] != " " for line in lines)

    wide = konduktor(cluster, "list", "-o", "wide").stdout.splitlines()
    assert wide[0].split() == ["NAME", "STATE", "REASON", "NODES", "RESTARTS", "KIND", "TASK",
                               "OUTCOME", "AGE", "MESSAGE"]
    assert konduktor(cluster, "list", "-A").stdout.splitlines()[0].split()[:2] == \
        ["NAMESPACE", "NAME"]
    assert konduktor(cluster, "list", "-o", "name").stdout.split() == three_jobs

    listing = json.loads(konduktor(cluster, "list", "-o", "json").stdout)
    assert (listing["apiVersion"], listing["kind"]) == ("v1", "List")
    assert [d["metadata"]["name"] for d in listing["items"]] == three_jobs
    assert {d["kind"] for d in listing["items"]} == {"JobStatus"}
    assert yaml.safe_load(konduktor(cluster, "list", "-o", "yaml").stdout) == listing

    selected = konduktor(cluster, "list", "-l", "konduktor.io/task-name=ok", "-o", "name")
    assert selected.stdout.split() == three_jobs
    assert konduktor(cluster, "list", "-l", "konduktor.io/task-name=other").stderr == \
        "No jobs found in default namespace.\n"

    r = konduktor(cluster, "list", "-o", "xml")
    assert (r.returncode, r.stderr) == (
        2, "error: list: unknown output format 'xml' (use json, yaml, name, wide)\n")
    r = konduktor(cluster, "list", "ok-1")
    assert r.returncode == 2 and "unexpected argument 'ok-1'" in r.stderr


def test_status_of_named_jobs(cluster, three_jobs):
    doc = json.loads(konduktor(cluster, "status", "ok-1", "-o", "json").stdout)
    assert doc["kind"] == "JobStatus" and doc["metadata"]["name"] == "ok-1"
    assert (doc["state"], doc["workloadKind"], doc["numNodes"]) == ("SUCCEEDED", "Job", 1)
    assert doc["indexes"][0]["exitCode"] == 0

    r = konduktor(cluster, "status", "ok-1", "nope")
    assert r.returncode == 3
    rows = {line.split()[0]: line.split()[1] for line in r.stdout.splitlines()[1:]}
    assert rows == {"ok-1": "SUCCEEDED", "nope": "NOT_FOUND"}
    both = json.loads(konduktor(cluster, "status", "ok-1", "nope", "-o", "json").stdout)
    assert [d["state"] for d in both["items"]] == ["SUCCEEDED", "NOT_FOUND"]
    r = konduktor(cluster, "status", "ok-1", "nope", "-o", "name")
    assert (r.returncode, r.stdout) == (3, "ok-1\n")
    assert r.stderr == "error: job 'nope' not found in namespace 'default'\n"
    r = konduktor(cluster, "status", "-A", "ok-1")
    assert r.returncode == 2 and "across all namespaces" in r.stderr


def test_objects_that_are_not_konduktor_jobs(cluster, tmp_path):
    foreign = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "foreign"},
               "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                   {"name": "c", "image": "busybox", "command": ["true"]}]}}}}
    cluster.api("POST", "/apis/batch/v1/namespaces/default/jobs", foreign)
    r = konduktor(cluster, "status", "foreign")
    assert r.returncode == 3
    assert r.stderr == ("error: status: Job 'foreign' in namespace 'default' was not launched "
                        "by kubectl konduktor\n")
    assert konduktor(cluster, "list", "-o", "name").stdout == ""
    # A JobSet's child Jobs carry its labels but are not jobs of their own.
    task = write_task(tmp_path, "pair", RESULT, num_nodes=2)
    create_job(cluster, task, "pair-1", "--jobset")
    assert konduktor(cluster, "wait", "pair-1", "--timeout", "60").stdout == "succeeded\n"
    assert konduktor(cluster, "list", "-o", "name").stdout == "pair-1\n"
    doc = job_state(cluster, "pair-1")
    assert (doc["workloadKind"], len(doc["indexes"])) == ("JobSet", 2)


def test_listing_costs_a_few_requests_whatever_the_number_of_jobs(cluster, tmp_path):
    task = write_task(tmp_path, "many", "true")
    for i in range(6):
        create_job(cluster, task, f"many-{i}")
    cluster.reset_counters()
    r = konduktor(cluster, "list")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 7
    # One list each of Jobs, JobSets and pods.
    assert cluster.requests_by("kubectl-konduktor/") == 3


def test_wait_and_result_watch_a_running_job(cluster, tmp_path):
    task = write_task(tmp_path, "slow", 'sleep 0.5\n' + RESULT)
    create_job(cluster, task, "slow-1")
    r = konduktor(cluster, "result", "slow-1", "--timeout", "60")
    assert (r.returncode, r.stdout, r.stderr) == (0, '{"ok": true}\n', "")
    # Recorded on the Job: it answers after the pods are gone.
    job = cluster.api("GET", "/apis/batch/v1/namespaces/default/jobs/slow-1")
    assert job["metadata"]["annotations"]["konduktor.io/outcome"] == "Result"
    cluster.api("DELETE", "/api/v1/namespaces/default/pods?labelSelector=konduktor.io/job-name"
                "%3Dslow-1")
    wait_until(lambda: not cluster.api("GET", "/api/v1/namespaces/default/pods")["items"],
               what="pods to go")
    r = konduktor(cluster, "result", "slow-1")
    assert (r.returncode, r.stdout) == (0, '{"ok": true}\n')
    assert job_state(cluster, "slow-1")["outcome"] == "Result"


def test_wait_ends_at_once_for_a_stuck_job_and_times_out_otherwise(cluster, three_jobs):
    r = konduktor(cluster, "wait", "badimage-1", "--timeout", "120")
    assert r.returncode == 10 and r.stdout == ""
    assert r.stderr.startswith("error: job 'badimage-1' cannot start: image cannot be pulled")
    r = konduktor(cluster, "result", "huge-1", "--timeout", "1")
    assert r.returncode == 14 and r.stdout == ""
    assert r.stderr.startswith("job 'huge-1' is waiting for room: unschedulable: 0/1 nodes")
    assert r.stderr.splitlines()[-1].startswith(
        "error: job 'huge-1': Timeout: no result within 1 seconds; the job is PENDING "
        "(Unschedulable: ")
    r = konduktor(cluster, "wait", "nope")
    assert (r.returncode, r.stderr) == (3, "error: job 'nope' not found in namespace 'default'\n")
    r = konduktor(cluster, "wait", "huge-1", "--timeout", "soon")
    assert r.returncode == 2 and "--timeout: 'soon' is not a duration" in r.stderr


def test_completion_lists_jobs_from_the_cluster(cluster, three_jobs):
    env = plugin_env(cluster)
    import subprocess
    r = subprocess.run([binary("kubectl_complete-konduktor"), "result", "b"], env=env,
                       capture_output=True, text=True, timeout=30)
    assert r.stdout.splitlines() == ["badimage-1", ":4"]
    r = subprocess.run([binary("kubectl_complete-konduktor"), "status", "-n", "other", ""],
                       env=env, capture_output=True, text=True, timeout=30)
    assert r.stdout.splitlines() == [":4"]


def test_without_a_cluster(cluster, tmp_path):
    env = plugin_env(cluster, KUBECONFIG=str(tmp_path / "missing"))
    r = konduktor(cluster, "list", env=env)
    assert r.returncode == 1
    assert r.stderr == (
        "error: list: no cluster is configured (set KUBECONFIG, use --kubeconfig or --server, "
        "or create ~/.kube/config); start one on this machine with 'kubectl konduktor local "
        "up'\n")
    cluster.stop()
    r = konduktor(cluster, "status", "x", "--request-timeout", "2s")
    assert r.returncode == 1
    assert r.stderr.startswith("error: status: ")
    assert r.stderr.endswith("(is the local cluster running? start it with 'kubectl konduktor "
                             "local up')\n")


def plugin_watches(cluster):
    return sum(i["count"] for i in cluster.counters()["items"]
               if i["watch"] and i["userAgent"].startswith("kubectl-konduktor/"))


def test_waiting_survives_dropped_watches(cluster, tmp_path):
    go = tmp_path / "go"
    task = write_task(tmp_path, "gated", f'while [ ! -e {go} ]; do sleep 0.05; done\n' + RESULT)
    create_job(cluster, task, "gated-1")
    import subprocess
    waiter = subprocess.Popen([binary("kubectl-konduktor"), "result", "gated-1"],
                              env=plugin_env(cluster), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    wait_until(lambda: plugin_watches(cluster) >= 2, what="the plugin's watches")
    assert cluster.drop_watches() == 200
    wait_until(lambda: plugin_watches(cluster) >= 4, what="the watches to resume")
    go.touch()
    out, err = waiter.communicate(timeout=60)
    assert (waiter.returncode, out) == (0, '{"ok": true}\n'), err


def test_waiting_gives_up_when_the_server_is_gone(cluster, tmp_path):
    task = write_task(tmp_path, "forever", "sleep 600")
    create_job(cluster, task, "forever-1")
    import subprocess
    waiter = subprocess.Popen([binary("kubectl-konduktor"), "wait", "forever-1",
                               "--request-timeout", "2s"], env=plugin_env(cluster),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: plugin_watches(cluster) >= 2, what="the plugin's watches")
    cluster.kill()
    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 1 and out == ""
    assert err.startswith("error: wait: lost the connection to the API server for more than 2 s: ")
