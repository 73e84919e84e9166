"""Real clients against pods that really run: kubectl (apply -f of a plain
Job manifest, get -o json, logs, wait --for=condition=complete, delete)
and the official Python client (an Indexed Job created, watched to
completion, each pod's log read); and a JobSet of two pods that find each
other by their DNS-style hostnames and talk over TCP."""
import json

from localcluster import wait_for
from podtools import FAST, JOBS, job_pods, wait_gone

JOB_YAML = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: hello
  labels:
    app: hello
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: ["/bin/sh", "-c"]
        args: ["echo hello from $(POD_NAME); echo to stderr >&2"]
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
"""


def test_kubectl_apply_logs_wait_delete(cluster_factory, tmp_path):
    c = cluster_factory(args=FAST)
    manifest = tmp_path / "job.yaml"
    manifest.write_text(JOB_YAML)
    out = c.kubectl("apply", "-f", str(manifest)).stdout
    assert out.strip() == "job.batch/hello created"
    c.kubectl("wait", "--for=condition=complete", "job/hello", "--timeout=60s")
    job = json.loads(c.kubectl("get", "job", "hello", "-o", "json").stdout)
    assert job["status"]["succeeded"] == 1
    assert job["status"]["completionTime"]
    types = {cond["type"] for cond in job["status"]["conditions"] if cond["status"] == "True"}
    assert types == {"SuccessCriteriaMet", "Complete"}
    (pod,) = job_pods(c, "hello")
    name = pod["metadata"]["name"]
    assert name.startswith("hello-") and len(name) == len("hello-") + 5
    logs = c.kubectl("logs", "job/hello").stdout
    assert logs == f"hello from {name}\nto stderr\n"
    stamped = c.kubectl("logs", name, "--timestamps").stdout.splitlines()
    assert stamped[0].endswith(f" hello from {name}") and stamped[0][:4].isdigit()
    pods = json.loads(c.kubectl("get", "pods", "-l", "job-name=hello", "-o", "json").stdout)
    assert [p["status"]["phase"] for p in pods["items"]] == ["Succeeded"]
    out = c.kubectl("delete", "-f", str(manifest)).stdout
    assert out.strip() == 'job.batch "hello" deleted'
    wait_gone(c, f"{JOBS}/hello")
    wait_for(lambda: job_pods(c, "hello") == [], what="the pods to be collected")


def test_python_client_indexed_job_watch_and_logs(cluster_factory):
    from kubernetes import client, watch
    c = cluster_factory(args=FAST)
    api_client = c.python_client()
    batch = client.BatchV1Api(api_client)
    core = client.CoreV1Api(api_client)
    body = client.V1Job(
        metadata=client.V1ObjectMeta(name="squares"),
        spec=client.V1JobSpec(
            completions=4, parallelism=2, completion_mode="Indexed",
            template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                restart_policy="Never",
                containers=[client.V1Container(
                    name="main", image="python:3",
                    command=["/usr/bin/python3", "-c",
                             "import os; i = int(os.environ['JOB_COMPLETION_INDEX']); print('square', i * i)"])]))))
    batch.create_namespaced_job("default", body)
    seen_active = False
    w = watch.Watch()
    for event in w.stream(batch.list_namespaced_job, "default",
                          field_selector="metadata.name=squares", timeout_seconds=60):
        status = event["object"].status
        seen_active |= bool(status.active)
        if any(cond.type == "Complete" and cond.status == "True" for cond in status.conditions or []):
            w.stop()
            break
    else:
        raise AssertionError("the Job did not complete within the watch")
    assert seen_active
    job = batch.read_namespaced_job("squares", "default")
    assert job.status.succeeded == 4 and job.status.completed_indexes == "0-3"
    pods = core.list_namespaced_pod("default", label_selector="batch.kubernetes.io/job-name=squares").items
    by_index = {int(p.metadata.annotations["batch.kubernetes.io/job-completion-index"]): p for p in pods}
    assert sorted(by_index) == [0, 1, 2, 3]
    for index, p in by_index.items():
        assert p.spec.hostname == f"squares-{index}"
        log = core.read_namespaced_pod_log(p.metadata.name, "default")
        assert log == f"square {index * index}\n"


SERVER = """
import os, socket
me = socket.gethostbyname(os.environ['MY_FQDN'])
assert me == os.environ['MY_IP'], (me, os.environ['MY_IP'])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((me, 29500))
s.listen(1)
s.settimeout(60)
conn, peer = s.accept()
print('rank 0 at', me, 'got:', conn.recv(100).decode())
"""

CLIENT = """
import os, socket, time
deadline = time.time() + 60
while True:
    try:
        addr = socket.gethostbyname(os.environ['MASTER_ADDR'])
        conn = socket.create_connection((addr, 29500), timeout=5)
        break
    except OSError:
        if time.time() > deadline:
            raise
        time.sleep(0.05)
conn.sendall(b'hello from rank 1')
print('rank 1 reached', os.environ['MASTER_ADDR'], 'at', addr)
"""


def test_jobset_pods_reach_each_other_by_hostname(cluster_factory):
    c = cluster_factory(args=FAST)
    index = {"fieldRef": {"fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']"}}
    env = [
        {"name": "SERVER", "value": SERVER},
        {"name": "CLIENT", "value": CLIENT},
        {"name": "MY_INDEX", "valueFrom": index},
        {"name": "MY_FQDN", "value": "trainer-workers-0-$(MY_INDEX).trainer.default.svc.cluster.local"},
        {"name": "MY_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        # Rank 0's address, as a launcher hands it to every worker.
        {"name": "MASTER_ADDR", "value": "trainer-workers-0-0.trainer"},
    ]
    script = ('if [ "$MY_INDEX" = 0 ]; then exec /usr/bin/python3 -c "$SERVER"; '
              'else exec /usr/bin/python3 -c "$CLIENT"; fi')
    jobset = {
        "apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet",
        "metadata": {"name": "trainer"},
        "spec": {"replicatedJobs": [{
            "name": "workers", "replicas": 1,
            "template": {"spec": {
                "completions": 2, "parallelism": 2, "backoffLimit": 0,
                "template": {"spec": {"restartPolicy": "Never", "containers": [{
                    "name": "main", "image": "python:3",
                    "command": ["/bin/sh", "-c", script], "env": env}]}}}}}]},
    }
    c.api("POST", "/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets", jobset)

    def finished():
        js = c.api("GET", "/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets/trainer")
        for cond in js.get("status", {}).get("conditions", []):
            if cond["type"] in ("Completed", "Failed") and cond["status"] == "True":
                return js
        return None

    js = wait_for(finished, timeout=90, what="the JobSet to finish")
    pods = sorted(job_pods(c, "trainer-workers-0"), key=lambda p: p["spec"]["hostname"])
    logs = [c.request("GET", f"/api/v1/namespaces/default/pods/{p['metadata']['name']}/log")[2].decode()
            for p in pods]
    done = [cond for cond in js["status"]["conditions"] if cond["status"] == "True"]
    assert [(d["type"], d["reason"]) for d in done] == [("Completed", "AllJobsCompleted")], logs
    assert js["status"]["terminalState"] == "Completed"
    assert js["status"]["replicatedJobsStatus"] == [
        {"name": "workers", "ready": 0, "succeeded": 1, "failed": 0, "active": 0, "suspended": 0}]
    svc = c.api("GET", "/api/v1/namespaces/default/services/trainer")
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["selector"] == {"jobset.sigs.k8s.io/jobset-name": "trainer"}
    child = c.api("GET", f"{JOBS}/trainer-workers-0")
    assert child["metadata"]["labels"]["jobset.sigs.k8s.io/restart-attempt"] == "0"
    assert [p["spec"]["hostname"] for p in pods] == ["trainer-workers-0-0", "trainer-workers-0-1"]
    assert all(p["spec"]["subdomain"] == "trainer" for p in pods)
    ip0 = pods[0]["status"]["podIP"]
    assert logs[0] == f"rank 0 at {ip0} got: hello from rank 1\n"
    assert logs[1] == f"rank 1 reached trainer-workers-0-0.trainer at {ip0}\n"
