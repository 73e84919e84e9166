"""A state directory: every object, every resourceVersion and the watch
history survive a restart (also after a crash); one server per dir."""
import json
import subprocess

import pytest

from localcluster import ClusterError, LocalCluster

CM = "/api/v1/namespaces/default/configmaps"
JOBS = "/apis/batch/v1/namespaces/default/jobs"


def test_restart_keeps_every_object(cluster_factory):
    # Without the runtime: nothing but the test writes, so versions add up.
    c = cluster_factory(state_dir=True, args=["--controllers", "none"])
    job = {"metadata": {"name": "j"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}}}}
    made = c.api("POST", JOBS, job, expect=201)
    for i in range(200):
        c.api("POST", CM, {"metadata": {"name": f"cm-{i}", "labels": {"i": str(i)}}},
              expect=201)
    c.api("DELETE", CM + "/cm-7")
    c.api("POST", "/api/v1/namespaces", {"metadata": {"name": "team"}}, expect=201)
    before = c.api("GET", CM)
    rv = int(before["metadata"]["resourceVersion"])

    c.restart()
    after = c.api("GET", CM)
    assert after["items"] == before["items"]
    # Versions continue (the node coming back takes some).
    after_rv = int(after["metadata"]["resourceVersion"])
    assert after_rv >= rv
    # (The runtime may have run the Job meanwhile: its status moves on.)
    kept = c.api("GET", JOBS + "/j")
    assert kept["metadata"]["uid"] == made["metadata"]["uid"]
    assert kept["spec"] == made["spec"]
    assert c.request("GET", CM + "/cm-7")[0] == 404
    assert c.api("GET", "/api/v1/namespaces/team")["status"]["phase"] == "Active"
    new = c.api("POST", CM, {"metadata": {"name": "new"}}, expect=201)
    assert int(new["metadata"]["resourceVersion"]) == after_rv + 1
    # kubectl still finds the node (refreshed, not duplicated).
    assert c.kubectl("get", "nodes", "-o", "name").stdout.split() == ["node/local"]


def test_watch_resumes_after_restart(cluster_factory):
    c = cluster_factory(state_dir=True)
    rv = c.api("GET", CM)["metadata"]["resourceVersion"]
    c.api("POST", CM, {"metadata": {"name": "a"}}, expect=201)
    c.restart()
    with c.watch(CM + f"?resourceVersion={rv}&timeoutSeconds=1") as w:
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in w] == [("ADDED", "a")]


def test_crash_loses_nothing_that_was_answered(cluster_factory):
    c = cluster_factory(state_dir=True)
    for i in range(50):
        c.api("POST", CM, {"metadata": {"name": f"cm-{i}"}}, expect=201)
    c.kill()  # SIGKILL: no orderly shutdown
    c.start()
    assert len(c.api("GET", CM)["items"]) == 50


def test_one_server_per_state_dir(cluster_factory, tmp_path):
    c = cluster_factory(state_dir=True)
    second = LocalCluster(c.binary, tmp_path / "second", state_dir=c.state_dir)
    with pytest.raises(ClusterError) as e:
        second.start(timeout=10)
    assert "is in use by another konduktor-localcluster" in str(e.value)


def test_without_state_dir_nothing_survives(cluster):
    cluster.api("POST", CM, {"metadata": {"name": "a"}}, expect=201)
    cluster.restart()
    assert cluster.api("GET", CM)["items"] == []


def test_ready_file_is_removed_on_exit(cluster):
    assert cluster.ready_file.exists()
    assert json.loads(cluster.ready_file.read_text())["pid"] == cluster.pid
    cluster.stop()
    assert not cluster.ready_file.exists()


def test_usage_errors(cluster):
    for args, message in ((["--port", "99999"], "--port: '99999' is not a number"),
                          (["--nope"], "unknown flag '--nope'"),
                          (["extra"], "unexpected argument 'extra'")):
        r = subprocess.run([cluster.binary, *args], capture_output=True, text=True, timeout=30)
        assert r.returncode == 2, args
        assert message in r.stderr
    r = subprocess.run([cluster.binary, "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    for flag in ("--port", "--bind-address", "--tls-cert-file", "--client-ca-file",
                 "--token-auth-file", "--state-dir", "--api-schema-dir", "--watch-history",
                 "--ready-file", "--kubeconfig-out"):
        assert flag in r.stdout
