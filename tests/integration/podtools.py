"""Helpers for the runtime's integration tests: Job and pod manifests,
waiting for conditions through the API, reading logs and events, and
looking for the processes a pod left behind.

The tests run real processes: a container's command runs on this machine,
sees the host's file system (so it can write to the test's tmp_path), and
has its own PID, mount and UTS namespaces.
"""
import json
import os
import pathlib

from localcluster import quote, wait_for

# Short back-offs so that retries happen within a test's time; the
# defaults (10 s) are Kubernetes'.
FAST = ["--job-backoff", "100ms", "--restart-backoff", "300ms", "--shutdown-grace", "2s"]

JOBS = "/apis/batch/v1/namespaces/default/jobs"
PODS = "/api/v1/namespaces/default/pods"


def container(command, name="main", image="busybox", **extra):
    c = {"name": name, "image": image, "command": command}
    c.update(extra)
    return c


def job(name, command=None, *, completions=1, parallelism=1, indexed=False,
        restart_policy="Never", containers=None, grace=None, **spec):
    """A batch/v1 Job manifest; spec adds or overrides spec fields."""
    pod_spec = {"restartPolicy": restart_policy,
                "containers": containers or [container(command)]}
    if grace is not None:
        pod_spec["terminationGracePeriodSeconds"] = grace
    body = {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name},
        "spec": {"completions": completions, "parallelism": parallelism,
                 "template": {"spec": pod_spec}},
    }
    if indexed:
        body["spec"]["completionMode"] = "Indexed"
    body["spec"].update(spec)
    return body


def create_job(cluster, body):
    return cluster.api("POST", JOBS, body)


def get_job(cluster, name):
    return cluster.api("GET", f"{JOBS}/{name}")


def condition(obj, ctype):
    for c in obj.get("status", {}).get("conditions", []) or []:
        if c["type"] == ctype:
            return c
    return None


def wait_job(cluster, name, ctype, timeout=60):
    """Waits for the Job's condition `ctype` to be True; returns the Job."""
    def check():
        j = get_job(cluster, name)
        c = condition(j, ctype)
        return j if c and c["status"] == "True" else None
    return wait_for(check, timeout=timeout, what=f"job {name} {ctype}")


def wait_finished(cluster, name, timeout=60):
    """Waits for Complete or Failed; returns the Job."""
    def check():
        j = get_job(cluster, name)
        for t in ("Complete", "Failed"):
            c = condition(j, t)
            if c and c["status"] == "True":
                return j
        return None
    return wait_for(check, timeout=timeout, what=f"job {name} to finish")


def job_pods(cluster, name):
    sel = quote(f"batch.kubernetes.io/job-name={name}")
    return cluster.api("GET", f"{PODS}?labelSelector={sel}")["items"]


def pod(cluster, name):
    return cluster.api("GET", f"{PODS}/{name}")


def wait_pod(cluster, name, predicate, timeout=60, what="pod state"):
    def check():
        status, _, data = cluster.request("GET", f"{PODS}/{name}")
        if status != 200:
            return None
        p = json.loads(data)
        return p if predicate(p) else None
    return wait_for(check, timeout=timeout, what=f"{name}: {what}")


def wait_gone(cluster, path, timeout=60):
    wait_for(lambda: cluster.request("GET", path)[0] == 404, timeout=timeout,
             what=f"{path} to be deleted")


def pod_log(cluster, name, **params):
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    status, _, data = cluster.request("GET", f"{PODS}/{name}/log" + ("?" + query if query else ""))
    assert status == 200, data
    return data.decode()


def events_for(cluster, name):
    items = cluster.api("GET", "/api/v1/namespaces/default/events")["items"]
    return [e for e in items if e["involvedObject"]["name"] == name]


def container_status(p, name="main"):
    for s in p.get("status", {}).get("containerStatuses", []) or []:
        if s["name"] == name:
            return s
    return None


def processes_with(marker):
    """PIDs of processes whose command line contains marker."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = pathlib.Path("/proc", entry, "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline.replace(b"\0", b" "):
            found.append(int(entry))
    return found


def marker():
    """A unique sleep duration, to find a pod's process among the host's.

    At least 1000 s, so that a process sleeping it outlives any test."""
    return f"{1000 + os.getpid() % 1000}.{int.from_bytes(os.urandom(3), 'big')}"
