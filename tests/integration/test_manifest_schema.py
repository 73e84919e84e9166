"""Every object a launch or a group creates, for example tasks covering
every task field, validates against the upstream Kubernetes 1.34 schema and
the JobSet CRD with unknown fields rejected (as an API server with
fieldValidation=Strict does), and the YAML rendering reads back as the JSON.

The objects come from tests/tools/render-manifests, which calls the same
functions as `kubectl konduktor launch --dry-run -o json|yaml`. The schema
lives outside the project (../shared/k8s-api/ or $KONDUKTOR_K8S_API_DIR);
without it the tests skip, saying so.
"""
import copy
import json
import os
import pathlib
import subprocess

import jsonschema
import pytest
import yaml

from conftest import SOURCE_DIR, binary

TASKS = pathlib.Path(__file__).resolve().parent / "tasks"
API_DIR = pathlib.Path(os.environ.get("KONDUKTOR_K8S_API_DIR", SOURCE_DIR.parent / "shared" / "k8s-api"))
SWAGGER = API_DIR / "kubernetes-1.34-swagger.json"
JOBSET_CRD = API_DIR / "jobset.x-k8s.io_jobsets.yaml"

pytestmark = pytest.mark.skipif(
    not SWAGGER.is_file() or not JOBSET_CRD.is_file(),
    reason=f"no Kubernetes API schema in {API_DIR} (set KONDUKTOR_K8S_API_DIR)")


def strict(schema):
    """The schema with additionalProperties: false on every object that
    lists properties, unless it preserves unknown fields."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


@pytest.fixture(scope="module")
def validators():
    with open(SWAGGER) as f:
        swagger = json.load(f)
    definitions = strict(swagger["definitions"])
    root = {"definitions": definitions}
    resolver = jsonschema.RefResolver.from_schema(root)

    def core(name):
        return jsonschema.Draft4Validator(definitions[name], resolver=resolver)

    with open(JOBSET_CRD) as f:
        crd = yaml.safe_load(f)
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha2")
    jobset = strict(version["schema"]["openAPIV3Schema"])
    return {
        ("batch/v1", "Job"): core("io.k8s.api.batch.v1.Job"),
        ("v1", "Service"): core("io.k8s.api.core.v1.Service"),
        ("v1", "ConfigMap"): core("io.k8s.api.core.v1.ConfigMap"),
        ("jobset.x-k8s.io/v1alpha2", "JobSet"): jsonschema.Draft7Validator(jobset),
    }


def render(*args, fmt="json"):
    result = subprocess.run([binary("render-manifests"), "-o", fmt, *args], cwd=TASKS,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


CASES = {
    "minimal": ["minimal.yaml"],
    "full": ["--config", "config.yaml", "--env", "TOKEN=s3cr3t", "-n", "ml", "full.yaml"],
    "full-overrides": ["--env", "TOKEN=t", "--cpus", "0.25", "--memory", "3", "--gpus", "H100:2",
                       "--image-id", "python:3.12", "--max-restarts", "5", "--name", "renamed",
                       "--secret", "extra:/etc/extra", "full.yaml"],
    "multinode-jobset": ["--config", "config.yaml", "--jobset", "multinode.yaml"],
    "multinode-indexed": ["--config", "config.yaml", "multinode.yaml"],
    "group": ["--inputs", "inputs.jsonl", "sweep.yaml"],
    "group-fail-fast": ["--inputs", "inputs.jsonl", "--fail-fast", "--retries", "2",
                        "--max-concurrent", "0", "sweep.yaml"],
    "group-cancel": ["--inputs", "inputs.jsonl", "--fail-fast", "--cancel-running-on-fail",
                     "--input-mode", "single", "sweep.yaml"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_object_is_valid_for_a_strict_api_server(case, validators):
    listing = json.loads(render(*CASES[case]))
    assert listing["apiVersion"] == "v1"
    assert listing["kind"] == "List"
    assert listing["metadata"] == {"resourceVersion": ""}
    kinds = []
    for obj in listing["items"]:
        key = (obj["apiVersion"], obj["kind"])
        assert key in validators, f"unexpected object {key}"
        errors = sorted(validators[key].iter_errors(obj), key=lambda e: list(e.path))
        assert not errors, "\n".join(
            f"{obj['kind']} {obj['metadata']['name']}: {'.'.join(map(str, e.path))}: {e.message}"
            for e in errors)
        kinds.append(obj["kind"])
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "kubectl-konduktor"
    # The workload comes last, after everything its pods mount.
    assert kinds[-1] in ("Job", "JobSet")


def test_yaml_output_reads_back_as_the_json():
    for case in ("full", "multinode-jobset", "group"):
        as_json = json.loads(render(*CASES[case]))
        as_yaml = yaml.safe_load(render(*CASES[case], fmt="yaml"))
        assert as_yaml == as_json, case


def test_what_each_case_creates():
    def kinds(case):
        return [(o["kind"], o["metadata"]["name"]) for o in json.loads(render(*CASES[case]))["items"]]

    assert kinds("minimal") == [("Job", "minimal-test")]
    assert kinds("full") == [("ConfigMap", "full-single-test-files"), ("Job", "full-single-test")]
    assert kinds("multinode-jobset") == [("JobSet", "ddp-test")]
    assert kinds("multinode-indexed") == [("Service", "ddp-test"), ("Job", "ddp-test")]
    assert kinds("group") == [("ConfigMap", "grp-0123abcd-inputs-0"),
                              ("ConfigMap", "grp-0123abcd-files"), ("Job", "grp-0123abcd")]
    assert ("ConfigMap", "grp-0123abcd-control") in kinds("group-fail-fast")
    assert ("ConfigMap", "grp-0123abcd-control") not in kinds("group-cancel")


def test_task_fields_reach_the_objects():
    items = json.loads(render(*CASES["full"]))["items"]
    job = items[-1]
    spec = job["spec"]
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert job["metadata"]["namespace"] == "ml"
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "user-queue"
    assert job["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "low-priority"
    assert job["metadata"]["labels"]["team"] == "research"
    assert job["metadata"]["annotations"]["konduktor.io/task"].startswith("# Every field")
    assert (spec["completions"], spec["parallelism"], spec["backoffLimitPerIndex"]) == (3, 1, 3)
    assert container["image"] == "nvcr.io/nvidia/pytorch:24.01-py3"
    assert container["resources"]["limits"] == {"cpu": "2500m", "memory": "16Gi", "nvidia.com/gpu": "8"}
    assert pod["nodeSelector"] == {"cloud.google.com/gke-accelerator": "nvidia-h100-80gb"}
    assert len(pod["tolerations"]) == 2
    assert env["EPOCHS"]["value"] == "10"
    assert env["TOKEN"]["value"] == "s3cr3t"
    # "$(...)" and "$$" are escaped so that the kubelet leaves them alone.
    assert env["PRICE"]["value"] == "$$(not a var) $$$"
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/home/jovyan/.aws"]["readOnly"] is True
    assert mounts["/home/jovyan/.config/gcloud"]["readOnly"] is True
    cm = items[0]
    assert sorted(cm["binaryData"]) == ["mount-0.tar", "mount-1.tar", "workdir.tar"]
    assert cm["data"] == {"mount-0.kind": "file", "mount-0.path": "/data/config.json",
                          "mount-1.kind": "dir", "mount-1.path": "~/datasets"}


def test_strict_validation_would_catch_an_unknown_field(validators):
    """The validators are strict: the same Job with one unknown field fails."""
    job = json.loads(render(*CASES["minimal"]))["items"][-1]
    bad = copy.deepcopy(job)
    bad["spec"]["template"]["spec"]["containers"][0]["bogus"] = 1
    assert list(validators[("batch/v1", "Job")].iter_errors(bad))
