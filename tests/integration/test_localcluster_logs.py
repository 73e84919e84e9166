"""The pods/log endpoint over the files the kubelet writes (podlog.h):
this test plays the kubelet — it writes CRI-format records and publishes
the container's state through the status subresource — so the endpoint's
parameters and follow are tested on their own."""
import json
import pathlib
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from localcluster import wait_for

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture
def cluster(cluster_factory):
    """A cluster without the runtime: these tests are the kubelet."""
    return cluster_factory(args=["--controllers", "none"])


def stamp(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}000Z"


class FakeKubelet:
    def __init__(self, cluster, name, containers=("main",)):
        self.cluster = cluster
        self.name = name
        # A node selector nothing matches keeps the real kubelet away.
        pod = cluster.api("POST", PODS, {"metadata": {"name": name}, "spec": {
            "nodeSelector": {"konduktor.test/nowhere": "true"},
            "containers": [{"name": c, "image": "busybox"} for c in containers]}}, expect=201)
        self.uid = pod["metadata"]["uid"]
        self.logs_dir = pathlib.Path(cluster.ready["logsDir"])

    def path(self, container="main", restart=0):
        p = self.logs_dir / f"default_{self.name}_{self.uid}" / container / f"{restart}.log"
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write(self, records, container="main", restart=0):
        """records: (datetime, stream, tag, content) tuples, appended."""
        with open(self.path(container, restart), "a") as f:
            for when, stream, tag, content in records:
                f.write(f"{stamp(when)} {stream} {tag} {content}\n")

    def status(self, container="main", restart=0, terminated=False):
        state = ({"terminated": {"exitCode": 0, "reason": "Completed"}} if terminated
                 else {"running": {"startedAt": "2026-01-01T00:00:00Z"}})
        self.cluster.api("PATCH", f"{PODS}/{self.name}/status",
                         {"status": {"containerStatuses": [{
                             "name": container, "restartCount": restart, "ready": not terminated,
                             "image": "busybox", "imageID": "", "state": state}]}},
                         {"Content-Type": "application/merge-patch+json"})


def log(cluster, pod, query=""):
    status, headers, body = cluster.request("GET", f"{PODS}/{pod}/log{query}")
    assert status == 200, body
    assert headers["content-type"].startswith("text/plain")
    return body.decode()


def test_log_parameters(cluster):
    k = FakeKubelet(cluster, "p")
    now = datetime.now(timezone.utc)
    old = now - timedelta(hours=1)
    k.write([(old, "stdout", "F", "one"), (old, "stderr", "F", "two"),
             (now, "stdout", "P", "thr"), (now, "stdout", "F", "ee"),
             (now, "stdout", "F", "four")])
    k.status(terminated=True)
    assert log(cluster, "p") == "one\ntwo\nthree\nfour\n"
    assert log(cluster, "p", "?tailLines=2") == "three\nfour\n"
    assert log(cluster, "p", "?tailLines=0") == ""
    assert log(cluster, "p", "?sinceSeconds=60") == "three\nfour\n"
    assert log(cluster, "p", "?limitBytes=6") == "one\ntw"
    stamped = log(cluster, "p", "?timestamps=true&tailLines=1")
    assert stamped == f"{stamp(now)} four\n"


def test_container_choice_and_errors(cluster):
    k = FakeKubelet(cluster, "two", containers=("a", "b"))
    k.write([(datetime.now(timezone.utc), "stdout", "F", "from b")], container="b")
    status, _, body = cluster.request("GET", f"{PODS}/two/log")
    assert status == 400
    assert json.loads(body)["message"] == \
        "a container name must be specified for pod two, choose one of: [a b]"
    assert log(cluster, "two", "?container=b") == "from b\n"
    status, _, body = cluster.request("GET", f"{PODS}/two/log?container=c")
    assert json.loads(body)["message"] == "container c is not valid for pod two"
    status, _, body = cluster.request("GET", f"{PODS}/two/log?container=a")
    assert status == 400
    assert json.loads(body)["message"] == \
        'container "a" in pod "two" is waiting to start: ContainerCreating'
    status, _, body = cluster.request("GET", f"{PODS}/missing/log")
    assert status == 404


def test_previous(cluster):
    k = FakeKubelet(cluster, "r")
    now = datetime.now(timezone.utc)
    k.write([(now, "stdout", "F", "first run")], restart=0)
    k.write([(now, "stdout", "F", "second run")], restart=1)
    status, _, body = cluster.request("GET", f"{PODS}/r/log?previous=true")
    assert status == 400  # no restart yet
    k.status(restart=1)
    assert log(cluster, "r") == "second run\n"
    assert log(cluster, "r", "?previous=true") == "first run\n"


def test_follow_streams_until_the_container_ends(cluster):
    k = FakeKubelet(cluster, "f")
    k.write([(datetime.now(timezone.utc), "stdout", "F", "hello")])
    k.status()
    conn = cluster._connection(30)
    conn.request("GET", f"{PODS}/f/log?follow=true")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.readline() == b"hello\n"
    k.write([(datetime.now(timezone.utc), "stdout", "F", "world")])
    assert resp.readline() == b"world\n"
    # The last record is written before the terminated state is published.
    k.write([(datetime.now(timezone.utc), "stderr", "F", "bye")])
    k.status(terminated=True)
    assert resp.read() == b"bye\n"  # and the stream ends
    conn.close()


def test_follow_ends_when_the_pod_is_deleted(cluster):
    k = FakeKubelet(cluster, "d")
    k.write([(datetime.now(timezone.utc), "stdout", "F", "x")])
    k.status()
    done = threading.Event()
    out = {}

    def follow():
        out["r"] = cluster.request("GET", f"{PODS}/d/log?follow=true", timeout=30)
        done.set()

    threading.Thread(target=follow, daemon=True).start()
    time.sleep(0.2)
    assert not done.is_set()
    cluster.api("DELETE", f"{PODS}/d")
    assert done.wait(10)
    assert out["r"][2] == b"x\n"


def test_kubectl_and_python_read_logs(cluster):
    k = FakeKubelet(cluster, "k")
    k.write([(datetime.now(timezone.utc), "stdout", "F", f"line {i}") for i in range(5)])
    k.status(terminated=True)
    assert cluster.kubectl("logs", "k", "--tail=2").stdout == "line 3\nline 4\n"
    from kubernetes import client
    text = client.CoreV1Api(cluster.python_client()).read_namespaced_pod_log("k", "default")
    assert text == "".join(f"line {i}\n" for i in range(5))
