"""Helpers for the job command tests: run kubectl-konduktor against a local
cluster, write small task files, and create a task's objects without the
plugin (through render-manifests and the API) when a test needs a job that
`launch` did not make.

    r = konduktor(cluster, "status", "x", "-o", "json")
    task = write_task(tmp_path, "echo", 'echo \'{"a": 1}\' > "$KONDUKTOR_OUTPUT_DIR/result.json"')
    create_job(cluster, task, "echo-1")
"""
import json
import os
import pathlib
import subprocess
import time

from conftest import binary


def plugin_env(cluster, **extra):
    """The environment of a plugin run: the cluster's kubeconfig, a HOME
    of the test's own (no user config from the machine), no colour."""
    home = pathlib.Path(cluster.workdir) / "home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), HOME=str(home), NO_COLOR="1")
    env.pop("KONDUKTOR_CONFIG", None)
    env.update(extra)
    return env


def konduktor(cluster, *args, timeout=60, input=None, env=None, cwd=None):
    """Runs kubectl-konduktor; returns the CompletedProcess (text)."""
    return subprocess.run([binary("kubectl-konduktor"), *args], capture_output=True, text=True,
                          timeout=timeout, input=input if input is not None else "",
                          env=env or plugin_env(cluster), cwd=cwd)


def write_task(directory, name, run, *, setup=None, cpus=0.1, memory=1, image="busybox:1.36",
               num_nodes=None, max_restarts=None, envs=None, extra=""):
    """Writes <directory>/<name>.yaml and returns its path."""
    lines = [f"name: {name}"]
    if num_nodes:
        lines.append(f"num_nodes: {num_nodes}")
    if envs:
        lines.append("envs:")
        lines += [f"  {k}: {json.dumps(v)}" for k, v in envs.items()]
    if setup:
        lines.append("setup: |")
        lines += ["  " + line for line in setup.splitlines()]
    lines.append("run: |")
    lines += ["  " + line for line in run.splitlines()]
    lines += ["resources:", f"  cpus: {cpus}", f"  memory: {memory}", f"  image_id: {image}"]
    if max_restarts is not None:
        lines += ["  job_config:", f"    max_restarts: {max_restarts}"]
    path = pathlib.Path(directory) / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def render(task, job_name, *flags):
    """The objects of a task as render-manifests prints them."""
    r = subprocess.run([binary("render-manifests"), "--job-name", job_name, *flags, str(task)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["items"]


def api_path(obj, namespace="default"):
    group_version = obj["apiVersion"]
    base = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
    plural = {"Job": "jobs", "JobSet": "jobsets", "ConfigMap": "configmaps",
              "Service": "services"}[obj["kind"]]
    return f"{base}/namespaces/{namespace}/{plural}"


def create_job(cluster, task, job_name, *flags):
    """Creates a task's objects directly (not through `launch`)."""
    for obj in render(task, job_name, *flags):
        cluster.api("POST", api_path(obj), obj)
    return job_name


def wait_until(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.05)


def job_state(cluster, name):
    r = konduktor(cluster, "status", name, "-o", "json")
    return json.loads(r.stdout) if r.stdout else None
