"""The kubelet and scheduler with real processes: termination messages
(the 4096-byte cut, FallbackToLogsOnError), restartPolicy OnFailure with
CrashLoopBackOff and Always after a success, graceful deletion (SIGTERM,
then SIGKILL after the grace period), the image pull failure path,
unschedulable pods and their retry, and a container's environment and
volumes."""
import base64
import json

from localcluster import wait_for
from podtools import (FAST, PODS, container, container_status, events_for, marker, pod,
                      pod_log, processes_with, wait_gone, wait_pod)


def create_pod(cluster, name, *containers, restart_policy="Never", **spec):
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"restartPolicy": restart_policy, "containers": list(containers)}}
    body["spec"].update(spec)
    return cluster.api("POST", PODS, body)


def phase_is(*phases):
    return lambda p: p.get("status", {}).get("phase") in phases


def test_termination_message_over_4096_bytes_keeps_the_last_4096(cluster_factory):
    c = cluster_factory(args=FAST)
    # 904 'a', then 4095 'b' and a final 'Z': 5000 bytes.
    script = ("head -c 904 /dev/zero | tr '\\0' a > /dev/termination-log; "
              "head -c 4095 /dev/zero | tr '\\0' b >> /dev/termination-log; "
              "printf Z >> /dev/termination-log")
    create_pod(c, "msg", container(["/bin/sh", "-c", script]))
    p = wait_pod(c, "msg", phase_is("Succeeded"))
    term = container_status(p)["state"]["terminated"]
    assert term["exitCode"] == 0 and term["reason"] == "Completed"
    assert term["message"] == "b" * 4095 + "Z"


def test_fallback_to_logs_on_error(cluster_factory):
    c = cluster_factory(args=FAST)
    script = "i=0; while [ $i -lt 100 ]; do echo line-$i; i=$((i+1)); done; exit 3"
    create_pod(c, "fallback", container(["/bin/sh", "-c", script],
                                        terminationMessagePolicy="FallbackToLogsOnError"))
    p = wait_pod(c, "fallback", phase_is("Failed"))
    term = container_status(p)["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (3, "Error")
    # The last 80 lines of the log (line-20 .. line-99), under 2048 bytes.
    assert term["message"] == "".join(f"line-{i}\n" for i in range(20, 100))
    # A file written by the container wins over the log.
    create_pod(c, "fromfile", container(["/bin/sh", "-c", "echo log; printf mine > /dev/termination-log; exit 1"],
                                        terminationMessagePolicy="FallbackToLogsOnError"))
    p = wait_pod(c, "fromfile", phase_is("Failed"))
    assert container_status(p)["state"]["terminated"]["message"] == "mine"


def test_on_failure_restarts_with_back_off(cluster_factory, tmp_path):
    c = cluster_factory(args=["--restart-backoff", "1s"])
    tries = tmp_path / "tries"
    script = f"echo x >> {tries}; [ $(wc -l < {tries}) -ge 3 ]"
    create_pod(c, "flaky", container(["/bin/sh", "-c", script]), restart_policy="OnFailure")
    seen = []
    with c.watch(f"{PODS}?fieldSelector=metadata.name%3Dflaky", timeout=60) as w:
        for ev in w:
            p = ev["object"]
            s = container_status(p)
            if s:
                seen.append(s)
            if p.get("status", {}).get("phase") == "Succeeded":
                break
    final = seen[-1]
    assert final["restartCount"] == 2
    assert final["state"]["terminated"]["exitCode"] == 0
    assert final["lastState"]["terminated"]["exitCode"] == 1
    assert final["lastState"]["terminated"]["reason"] == "Error"
    backoffs = [s["state"]["waiting"] for s in seen
                if s["state"].get("waiting", {}).get("reason") == "CrashLoopBackOff"]
    assert backoffs, "CrashLoopBackOff was never reported"
    uid = pod(c, "flaky")["metadata"]["uid"]
    assert backoffs[0]["message"] == f"back-off 1s restarting failed container=main pod=flaky_default({uid})"
    assert tries.read_text() == "x\nx\nx\n"
    assert any(e["reason"] == "BackOff" for e in events_for(c, "flaky"))
    # The first run's log stays readable as the previous one.
    assert pod_log(c, "flaky", previous="true") == ""


def test_always_restarts_a_container_that_succeeded(cluster_factory, tmp_path):
    c = cluster_factory(args=FAST)
    runs = tmp_path / "runs"
    create_pod(c, "daemon", container(["/bin/sh", "-c", f"echo x >> {runs}"]),
               restart_policy="Always", terminationGracePeriodSeconds=1)

    def restarted_twice(p):
        s = container_status(p)
        return bool(s) and s["restartCount"] >= 2
    p = wait_pod(c, "daemon", restarted_twice, what="two restarts")
    s = container_status(p)
    # Exit code 0 is no end under Always: the pod never reaches Succeeded.
    assert p["status"]["phase"] == "Running"
    assert s["lastState"]["terminated"]["exitCode"] == 0
    assert s["lastState"]["terminated"]["reason"] == "Completed"
    assert len(runs.read_text().splitlines()) >= 2
    c.api("DELETE", f"{PODS}/daemon")
    wait_gone(c, f"{PODS}/daemon")


def test_graceful_deletion_sigterm_then_sigkill(cluster_factory):
    c = cluster_factory(args=FAST)
    mark = marker()
    polite = ("trap 'echo got-TERM; exit 0' TERM; echo ready; "
              "while :; do sleep 0.05; done")
    deaf = f"trap '' TERM; echo ready; exec sleep {mark}"
    for name, script in (("polite", polite), ("deaf", deaf)):
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "finalizers": ["konduktor.test/keep"]},
                "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 2,
                         "containers": [container(["/bin/sh", "-c", script])]}}
        c.api("POST", PODS, body)
        wait_for(lambda: c.request("GET", f"{PODS}/{name}/log")[2].startswith(b"ready"),
                 what=f"{name} to start")
    for name in ("polite", "deaf"):
        c.api("DELETE", f"{PODS}/{name}")
    polite_pod = wait_pod(c, "polite", phase_is("Succeeded", "Failed"))
    term = container_status(polite_pod)["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (0, "Completed")
    # SIGTERM goes to the process group: the shell's trap ran (and the
    # shell may also report its sleeping child as Terminated).
    lines = pod_log(c, "polite").splitlines()
    assert lines[0] == "ready" and lines[-1] == "got-TERM"
    # The one that ignores SIGTERM is killed once its 2 s are up.
    deaf_pod = wait_pod(c, "deaf", phase_is("Succeeded", "Failed"))
    term = container_status(deaf_pod)["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (137, "Error")
    assert deaf_pod["status"]["phase"] == "Failed"
    assert processes_with(f"sleep {mark}") == []
    assert any(e["reason"] == "Killing" for e in events_for(c, "deaf"))
    for name in ("polite", "deaf"):
        c.api("PATCH", f"{PODS}/{name}", {"metadata": {"finalizers": None}},
              headers={"Content-Type": "application/merge-patch+json"})
        wait_gone(c, f"{PODS}/{name}")


def test_image_pull_failure(cluster_factory):
    c = cluster_factory(args=FAST + ["--fail-image-pattern", "*invalid*"])
    image = "registry.example.com/team/invalid-image:1.0"
    create_pod(c, "nopull", container(["true"], image=image))
    first = wait_pod(c, "nopull", lambda p: (container_status(p) or {}).get("state", {})
                     .get("waiting", {}).get("reason") == "ErrImagePull", what="ErrImagePull")
    assert first["status"]["phase"] == "Pending"
    backoff = wait_pod(c, "nopull", lambda p: container_status(p)["state"].get("waiting", {})
                       .get("reason") == "ImagePullBackOff", what="ImagePullBackOff")
    waiting = container_status(backoff)["state"]["waiting"]
    assert waiting["message"] == f'Back-off pulling image "{image}"'
    assert backoff["status"]["phase"] == "Pending"
    assert container_status(backoff)["ready"] is False
    events = events_for(c, "nopull")
    assert any(e["reason"] == "Failed" and e["message"].startswith(f'Failed to pull image "{image}": ')
               for e in events)
    assert any(e["reason"] == "Failed" and e["message"] == "Error: ErrImagePull" for e in events)
    assert any(e["reason"] == "BackOff" and e["message"] == f'Back-off pulling image "{image}"'
               for e in events)
    assert all(e["source"]["component"] == "kubelet" for e in events
               if e["reason"] in ("Failed", "BackOff"))


def test_unschedulable_pod_waits_for_capacity(cluster_factory):
    c = cluster_factory(args=FAST + ["--node-cpu", "2", "--node-gpus", "0"])
    create_pod(c, "gpu", container(["true"], resources={"limits": {"nvidia.com/gpu": "1"}}))
    create_pod(c, "big", container(["/bin/sh", "-c", "sleep 30"],
                                   resources={"requests": {"cpu": "2"}}), terminationGracePeriodSeconds=1)
    wait_pod(c, "big", phase_is("Running"))
    create_pod(c, "small", container(["true"], resources={"requests": {"cpu": "500m"}}))

    def scheduled(p):
        for cond in p.get("status", {}).get("conditions", []):
            if cond["type"] == "PodScheduled":
                return cond
        return None

    gpu = wait_pod(c, "gpu", lambda p: (scheduled(p) or {}).get("reason") == "Unschedulable")
    cond = scheduled(gpu)
    assert cond["status"] == "False"
    assert cond["message"] == ("0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: "
                               "0/1 nodes are available: 1 No preemption victims found for incoming pod.")
    assert gpu["status"]["phase"] == "Pending"
    (event,) = [e for e in events_for(c, "gpu") if e["reason"] == "FailedScheduling"]
    assert event["type"] == "Warning"
    assert event["source"]["component"] == "default-scheduler"
    assert event["message"] == cond["message"]
    small = wait_pod(c, "small", lambda p: (scheduled(p) or {}).get("reason") == "Unschedulable")
    assert "1 Insufficient cpu." in scheduled(small)["message"]
    # Capacity frees up: the waiting pod is bound and runs.
    c.api("DELETE", f"{PODS}/big")
    small = wait_pod(c, "small", phase_is("Succeeded"))
    assert small["spec"]["nodeName"] == "local"
    assert scheduled(small)["status"] == "True"
    assert any(e["reason"] == "Scheduled" and e["message"] == "Successfully assigned default/small to local"
               for e in events_for(c, "small"))


def test_environment_volumes_and_network_identity(cluster_factory):
    c = cluster_factory(args=FAST)
    c.api("POST", "/api/v1/namespaces/default/configmaps",
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
           "data": {"mode": "fast", "file.txt": "from a configmap\n"},
           "binaryData": {"blob": base64.b64encode(b"\x00\x01").decode()}})
    c.api("POST", "/api/v1/namespaces/default/secrets",
          {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
           "data": {"token": base64.b64encode(b"s3cret").decode()}})
    env = [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}},
           {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
           {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
           {"name": "TIER", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['tier']"}}},
           {"name": "GREETING", "value": "hello $(POD)"}]
    script = ('echo "$MODE $TOKEN $POD $TIER $GREETING"; cat /etc/settings/file.txt; '
              'od -An -tx1 /etc/settings/blob; cat /etc/creds/token; echo; '
              'echo data > /scratch/out && cat /scratch/out; '
              '! touch /etc/settings/new 2>/dev/null && echo read-only; '
              'hostname; grep -c "^$IP	web-1$" /etc/hosts; pwd')
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "envy", "labels": {"tier": "gold"}},
            "spec": {"restartPolicy": "Never", "hostname": "web-1",
                     "volumes": [{"name": "settings", "configMap": {"name": "settings"}},
                                 {"name": "creds", "secret": {"secretName": "creds"}},
                                 {"name": "scratch", "emptyDir": {}}],
                     "containers": [container(["/bin/sh", "-c", script], workingDir="/scratch",
                                              env=env, volumeMounts=[
                                                  {"name": "settings", "mountPath": "/etc/settings"},
                                                  {"name": "creds", "mountPath": "/etc/creds"},
                                                  {"name": "scratch", "mountPath": "/scratch"}])]}}
    c.api("POST", PODS, body)
    p = wait_pod(c, "envy", phase_is("Succeeded", "Failed"))
    assert p["status"]["phase"] == "Succeeded", pod_log(c, "envy")
    ip = p["status"]["podIP"]
    assert ip.startswith("127.") and ip != "127.0.0.1"
    assert p["status"]["podIPs"] == [{"ip": ip}]
    assert pod_log(c, "envy").splitlines() == [
        "fast s3cret envy gold hello envy", "from a configmap", " 00 01", "s3cret",
        "data", "read-only", "web-1", "1", "/scratch"]


def test_missing_config_map_blocks_the_container(cluster_factory):
    c = cluster_factory(args=FAST)
    env = [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "absent", "key": "k"}}}]
    create_pod(c, "blocked", container(["true"], env=env))
    p = wait_pod(c, "blocked", lambda p: (container_status(p) or {}).get("state", {})
                 .get("waiting", {}).get("reason") == "CreateContainerConfigError")
    assert container_status(p)["state"]["waiting"]["message"] == 'configmap "absent" not found'
    # Once it exists, the container starts.
    c.api("POST", "/api/v1/namespaces/default/configmaps",
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "absent"},
           "data": {"k": "v"}})
    wait_pod(c, "blocked", phase_is("Succeeded"))
