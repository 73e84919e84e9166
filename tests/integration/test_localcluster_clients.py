"""The local cluster with unchanged clients: kubectl v1.32 and the official
Python client (python3-kubernetes) create, read, select, watch and delete
objects and see what a real API server would answer."""
import json
import threading

import pytest

from localcluster import api_schema_dir, wait_for

JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  labels:
    app: demo
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: ["sh", "-c", "echo hi"]
"""


def test_kubectl_apply_get_select_delete(cluster, tmp_path):
    manifest = tmp_path / "job.yaml"
    manifest.write_text(JOB)
    r = cluster.kubectl("apply", "-f", str(manifest))
    assert r.stdout.strip() == "job.batch/pi created"

    job = json.loads(cluster.kubectl("get", "job", "pi", "-o", "json").stdout)
    assert job["spec"]["completions"] == 1
    assert job["spec"]["parallelism"] == 1
    assert job["spec"]["backoffLimit"] == 6
    assert job["spec"]["completionMode"] == "NonIndexed"
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["terminationMessagePolicy"] == "File"
    assert job["spec"]["selector"]["matchLabels"] == {
        "batch.kubernetes.io/controller-uid": job["metadata"]["uid"]}
    assert "kubectl.kubernetes.io/last-applied-configuration" in job["metadata"]["annotations"]

    # Applying a change patches (strategic merge) and keeps the rest.
    manifest.write_text(JOB.replace("app: demo", "app: demo\n    tier: batch"))
    assert cluster.kubectl("apply", "-f", str(manifest)).stdout.strip() == \
        "job.batch/pi configured"
    assert cluster.kubectl("get", "jobs", "-l", "tier=batch", "-o", "name").stdout.strip() == \
        "job.batch/pi"
    assert cluster.kubectl("get", "jobs", "-l", "tier!=batch", "-o", "name").stdout.strip() == ""
    assert cluster.kubectl("get", "jobs", "-l", "app in (demo,other)",
                           "-o", "name").stdout.strip() == "job.batch/pi"

    r = cluster.kubectl("delete", "job", "pi")
    assert r.stdout.strip() == 'job.batch "pi" deleted'
    r = cluster.kubectl("get", "job", "pi", check=False)
    assert r.returncode == 1
    assert 'Error from server (NotFound): jobs.batch "pi" not found' in r.stderr


def test_kubectl_nodes_namespaces_and_api_resources(cluster):
    assert cluster.kubectl("get", "nodes", "-o", "name").stdout.split() == ["node/local"]
    namespaces = cluster.kubectl("get", "namespaces", "-o", "name").stdout.split()
    assert "namespace/default" in namespaces and "namespace/kube-system" in namespaces
    table = cluster.kubectl("api-resources", "--no-headers").stdout
    rows = {line.split()[0]: line.split() for line in table.splitlines()}
    assert rows["jobs"][1:] == ["batch/v1", "true", "Job"]
    assert rows["pods"][1:] == ["po", "v1", "true", "Pod"]
    assert rows["jobsets"][1:] == ["jobset.x-k8s.io/v1alpha2", "true", "JobSet"]
    assert rows["nodes"][1:] == ["no", "v1", "false", "Node"]


@pytest.mark.skipif(not api_schema_dir(), reason="../shared/k8s-api is not present")
def test_kubectl_strict_and_warn_field_validation(cluster, tmp_path):
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(JOB.replace("restartPolicy: Never",
                                    "restartPolicy: Never\n      foo: bar"))
    r = cluster.kubectl("apply", "-f", str(manifest), check=False)
    assert r.returncode == 1
    assert ('Job in version "v1" cannot be handled as a Job: strict decoding error: '
            'unknown field "spec.template.spec.foo"') in r.stderr
    r = cluster.kubectl("create", "-f", str(manifest), "--validate=warn")
    assert 'Warning: unknown field "spec.template.spec.foo"' in r.stderr
    job = json.loads(cluster.kubectl("get", "job", "pi", "-o", "json").stdout)
    assert "foo" not in job["spec"]["template"]["spec"]  # dropped, as decoding drops it


def test_kubectl_reports_invalid_job(cluster, tmp_path):
    manifest = tmp_path / "job.yaml"
    manifest.write_text(JOB.replace("      restartPolicy: Never\n", ""))
    r = cluster.kubectl("apply", "-f", str(manifest), check=False)
    assert r.returncode == 1
    assert ('The Job "pi" is invalid: spec.template.spec.restartPolicy: Unsupported value: '
            '"Always": supported values: "OnFailure", "Never"') in r.stderr


def test_python_client_create_list_watch_delete(cluster):
    from kubernetes import client, watch
    api = client.BatchV1Api(cluster.python_client())
    body = client.V1Job(
        metadata=client.V1ObjectMeta(generate_name="py-", labels={"suite": "py"}),
        spec=client.V1JobSpec(
            completions=3, parallelism=2, completion_mode="Indexed",
            template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                restart_policy="Never",
                containers=[client.V1Container(name="main", image="busybox",
                                               command=["true"])]))))
    created = api.create_namespaced_job("default", body)
    name = created.metadata.name
    assert name.startswith("py-") and len(name) == 8
    assert created.spec.completion_mode == "Indexed"

    listed = api.list_namespaced_job("default", label_selector="suite=py")
    assert [j.metadata.name for j in listed.items] == [name]
    rv = listed.metadata.resource_version

    # A watch from the list's version sees the later change and the deletion.
    events = []

    def consume():
        w = watch.Watch()
        for event in w.stream(api.list_namespaced_job, "default", resource_version=rv,
                              label_selector="suite=py", timeout_seconds=20):
            events.append((event["type"], event["object"].metadata.name,
                           event["object"].metadata.labels.get("step")))
            if event["type"] == "DELETED":
                w.stop()

    t = threading.Thread(target=consume)
    t.start()
    api.patch_namespaced_job(name, "default", {"metadata": {"labels": {"step": "two"}}})
    api.delete_namespaced_job(name, "default", propagation_policy="Background")
    t.join(30)
    assert not t.is_alive()
    # The Job controller writes the Job's status meanwhile (more MODIFIED
    # events, before and after the patch); the label change and the deletion
    # arrive, in that order, and the deletion ends the stream.
    assert all(n == name for _, n, _ in events)
    assert events[-1] == ("DELETED", name, "two")
    assert ("MODIFIED", name, "two") in events[:-1]
    first_two = events.index(("MODIFIED", name, "two"))
    assert all(step is None for _, _, step in events[:first_two])
    assert api.list_namespaced_job("default", label_selector="suite=py").items == []


def test_python_client_errors_carry_status(cluster):
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    api = client.CoreV1Api(cluster.python_client())
    with pytest.raises(ApiException) as e:
        api.read_namespaced_config_map("missing", "default")
    assert e.value.status == 404
    status = json.loads(e.value.body)
    assert status["kind"] == "Status" and status["reason"] == "NotFound"
    assert status["message"] == 'configmaps "missing" not found'
    assert status["details"] == {"name": "missing", "kind": "configmaps"}

    api.create_namespaced_config_map("default", {"metadata": {"name": "cm"}, "data": {"a": "1"}})
    with pytest.raises(ApiException) as e:
        api.create_namespaced_config_map("default", {"metadata": {"name": "cm"}})
    assert e.value.status == 409
    assert json.loads(e.value.body)["reason"] == "AlreadyExists"


def test_python_client_watch_sees_410_after_history_expires(cluster):
    from kubernetes import client, watch
    from kubernetes.client.rest import ApiException
    api = client.CoreV1Api(cluster.python_client())
    rv = api.list_namespaced_config_map("default").metadata.resource_version
    api.create_namespaced_config_map("default", {"metadata": {"name": "a"}})
    assert cluster.expire_history() == 200
    with pytest.raises(ApiException) as e:
        for _ in watch.Watch().stream(api.list_namespaced_config_map, "default",
                                      resource_version=rv, timeout_seconds=5):
            pass
    assert e.value.status == 410


def test_kubectl_get_prints_the_real_columns(cluster_factory):
    """Server-side Tables: `kubectl get` shows what it shows on a real
    cluster (controllers off, so nothing moves under the test)."""
    c = cluster_factory(args=["--controllers", "none"])
    c.api("POST", "/api/v1/namespaces/default/pods", {"metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "main", "image": "busybox"}]}}, expect=201)
    c.api("POST", "/apis/batch/v1/namespaces/default/jobs", {
        "metadata": {"name": "j"}, "spec": {"completions": 2, "template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}}}},
        expect=201)
    lines = c.kubectl("get", "pods").stdout.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert lines[1].split()[:4] == ["p", "0/1", "Pending", "0"]
    lines = c.kubectl("get", "jobs").stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert lines[1].split()[:3] == ["j", "Running", "0/2"]
    lines = c.kubectl("get", "nodes").stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert lines[1].split()[:3] == ["local", "Ready", "<none>"]
    # -o json still gets the objects themselves.
    assert json.loads(c.kubectl("get", "pods", "-o", "json").stdout)["items"][0]["kind"] == "Pod"
    # A watch in Table form (kubectl get --watch) carries one-row Tables.
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    status, _, body = c.request("GET", "/api/v1/namespaces/default/pods?watch=true&"
                                "timeoutSeconds=1", headers={"Accept": accept})
    event = json.loads(body.splitlines()[0])
    assert event["type"] == "ADDED" and event["object"]["kind"] == "Table"
    assert event["object"]["rows"][0]["cells"][:3] == ["p", "0/1", "Pending"]


def test_kubectl_typed_create_commands(cluster, tmp_path):
    """kubectl create namespace|configmap|secret send protobuf bodies."""
    assert cluster.kubectl("create", "namespace", "team").stdout.strip() == "namespace/team created"
    binary = tmp_path / "blob"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    cluster.kubectl("create", "configmap", "cfg", "-n", "team", "--from-literal=a=b",
                    f"--from-file=blob={binary}")
    cluster.kubectl("create", "secret", "generic", "s", "-n", "team",
                    "--from-literal=password=hunter2")
    cm = cluster.api("GET", "/api/v1/namespaces/team/configmaps/cfg")
    assert cm["data"] == {"a": "b"} and cm["binaryData"] == {"blob": "//4AAQ=="}
    secret = cluster.api("GET", "/api/v1/namespaces/team/secrets/s")
    assert secret["data"] == {"password": "aHVudGVyMg=="} and secret["type"] == "Opaque"
    # Kinds with no protobuf description here say so.
    r = cluster.kubectl("create", "job", "j", "--image=busybox", check=False)
    assert r.returncode == 1 and "unknown format" in r.stderr
