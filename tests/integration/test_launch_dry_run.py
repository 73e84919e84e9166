"""`launch --dry-run` and malformed task files through `launch`.

Every object `launch --dry-run -o json` prints for the example tasks
(tests/integration/tasks/, covering every task field) validates against
the upstream schema with unknown fields rejected — the validators of
test_manifest_schema.py. --dry-run (=client) needs no cluster at all;
--dry-run=server has the local cluster validate and default the objects
without keeping them. Malformed task files stop `launch` with one line
naming the position, exit code 2, and nothing created."""
import json
import pathlib

import pytest
import yaml

from jobtools import konduktor, plugin_env
from test_manifest_schema import SWAGGER, JOBSET_CRD, strict, validators  # noqa: F401

TASKS = pathlib.Path(__file__).resolve().parent / "tasks"

CASES = {
    "minimal": ["minimal.yaml"],
    "full": ["--env", "TOKEN=s3cr3t", "-n", "ml", "full.yaml"],
    "full-overrides": ["--env", "TOKEN=t", "--cpus", "0.25", "--memory", "3", "--gpus", "H100:2",
                       "--image-id", "python:3.12", "--max-restarts", "5", "--name", "renamed",
                       "--secret", "extra:/etc/extra", "full.yaml"],
    "multinode-jobset": ["multinode.yaml"],
    "multinode-indexed": ["--jobset", "never", "multinode.yaml"],
}


def no_cluster_env(tmp_path):
    """No kubeconfig at all, and the example user config."""
    class Nowhere:
        workdir = tmp_path
        kubeconfig = tmp_path / "missing-kubeconfig"
    return Nowhere, plugin_env(Nowhere, KONDUKTOR_CONFIG=str(TASKS / "config.yaml"))


def dry_run(tmp_path, *args, fmt="json"):
    nowhere, env = no_cluster_env(tmp_path)
    r = konduktor(nowhere, "launch", "--dry-run", "-o", fmt, *args, env=env, cwd=TASKS)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


@pytest.mark.skipif(not SWAGGER.is_file() or not JOBSET_CRD.is_file(),
                    reason="no Kubernetes API schema (set KONDUKTOR_K8S_API_DIR)")
@pytest.mark.parametrize("case", sorted(CASES))
def test_objects_are_valid_for_a_strict_api_server(case, validators, tmp_path):  # noqa: F811
    listing = json.loads(dry_run(tmp_path, *CASES[case]))
    assert (listing["apiVersion"], listing["kind"], listing["metadata"]) == \
        ("v1", "List", {"resourceVersion": ""})
    for obj in listing["items"]:
        validator = validators[(obj["apiVersion"], obj["kind"])]
        errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.path))
        assert not errors, "\n".join(
            f"{obj['kind']}: {'.'.join(map(str, e.path))}: {e.message}" for e in errors)
    workload = listing["items"][-1]
    assert workload["kind"] in ("Job", "JobSet")
    name = workload["metadata"]["name"]
    task = {"minimal": "minimal", "multinode-jobset": "ddp", "multinode-indexed": "ddp",
            "full": "full-single", "full-overrides": "renamed"}[case]
    assert name.startswith(task + "-") and len(name) == len(task) + 5
    assert workload["kind"] == ("JobSet" if case == "multinode-jobset" else "Job")
    namespaces = {o["metadata"].get("namespace") for o in listing["items"]}
    assert namespaces == ({"ml"} if case == "full" else {None})


def test_yaml_is_the_default_and_reads_back_as_the_json(tmp_path):
    def normalised(doc):
        """Without what differs between two launches: the job's random
        name and the launch time."""
        name = doc["items"][-1]["metadata"]["name"]
        doc["items"][-1]["metadata"]["annotations"].pop("konduktor.io/created-at")
        return json.loads(json.dumps(doc).replace(name, "JOB"))

    as_yaml = yaml.safe_load(dry_run(tmp_path, "full.yaml", "--env", "TOKEN=t", fmt="yaml"))
    as_json = json.loads(dry_run(tmp_path, "full.yaml", "--env", "TOKEN=t"))
    assert normalised(as_yaml) == normalised(as_json)
    nowhere, env = no_cluster_env(tmp_path)
    r = konduktor(nowhere, "launch", "--dry-run", "minimal.yaml", env=env, cwd=TASKS)
    assert r.stdout.startswith("apiVersion: v1\nitems:\n")


def test_server_dry_run_creates_nothing(cluster, tmp_path):
    r = konduktor(cluster, "launch", "--dry-run=server", "-o", "json", "--jobset", "never",
                  "--num-nodes", "2", "minimal.yaml", cwd=TASKS)
    assert r.returncode == 0, r.stderr
    listing = json.loads(r.stdout)
    assert [o["kind"] for o in listing["items"]] == ["Service", "Job"]
    job = listing["items"][-1]
    assert job["metadata"]["uid"]  # the server's answer, defaulted
    assert job["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] == \
        "/dev/termination-log"
    assert cluster.api("GET", "/apis/batch/v1/namespaces/default/jobs")["items"] == []
    assert cluster.api("GET", "/api/v1/namespaces/default/services")["items"] == []


MALFORMED = {
    "unknown-field": ("name: t\nrun: echo hi\nresorces:\n  cpus: 1\n",
                      "error: task 'task.yaml': line 3, column 1: unknown field 'resorces' "
                      "(did you mean 'resources'?)\n"),
    "bad-type": ("name: t\nnum_nodes: two\nresources: {cpus: 1, memory: 1, image_id: x}\n",
                 "error: task 'task.yaml': line 2, column 12: 'num_nodes' must be an integer, not "
                 "a string\n"),
    "yaml-syntax": ("name: t\nrun: [echo, hi\nresources: {cpus: 1}\n",
                    "error: task 'task.yaml': line 3, column 10: did not find expected ',' or "
                    "']' while parsing a flow sequence\n"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_task_files(cluster, tmp_path, case):
    text, expected = MALFORMED[case]
    (tmp_path / "task.yaml").write_text(text)
    r = konduktor(cluster, "launch", "-y", "task.yaml", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", expected)


def test_binary_and_huge_task_files(cluster, tmp_path):
    with open("/bin/true", "rb") as f:
        (tmp_path / "task.yaml").write_bytes(f.read(8192))
    r = konduktor(cluster, "launch", "task.yaml", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert r.stderr.startswith("error: task 'task.yaml': line 1, column ")
    with open(tmp_path / "big.yaml", "wb") as f:
        f.truncate(50 * 1024 * 1024)
    r = konduktor(cluster, "launch", "big.yaml", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        2, "error: task 'big.yaml': 52428800 bytes, more than the limit of 131072 bytes (the task "
           "is kept in an annotation, and Kubernetes allows 256 KiB of annotations per object)\n")
    # Nothing was asked of the cluster, let alone created.
    assert cluster.api("GET", "/apis/batch/v1/namespaces/default/jobs")["items"] == []
