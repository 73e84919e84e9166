#!/usr/bin/python3
"""bench_groups.py — submitting a group: `kubectl konduktor map` with N
inputs against creating the same work as one Job per input with
`kubectl create -f`, on a local cluster that stores objects without running
them (--controllers none: only the submission is measured). Prints the
wall time and the number of API requests (the cluster's counters) of each,
and their ratio. Not a pass/fail test.

    KONDUKTOR_BUILD_DIR=build /usr/bin/python3 tests/bench/bench_groups.py [N ...]
        [--kubectl-sample M]

N defaults to 1000 and 100000. kubectl is measured on at most M Jobs
(default 1000) and, for larger N, its time and requests are extrapolated
linearly from that sample (each Job is one create request; the printed
table marks extrapolated figures with '~'). Figures depend on the machine
and its load: compare runs on the same machine only.
"""
import argparse
import copy
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
from localcluster import LocalCluster  # noqa: E402

BUILD = pathlib.Path(os.environ.get("KONDUKTOR_BUILD_DIR", HERE.parents[1] / "build")).resolve()
TASK = "name: sweep\nrun: echo \"$lr\"\nresources: {cpus: 1, memory: 1, image_id: busybox}\n"


def built(name):
    for candidate in (BUILD / name, *BUILD.glob(f"*/{name}")):
        if candidate.is_file():
            return str(candidate)
    sys.exit(f"bench_groups: {name} is not built in {BUILD}")


def write_inputs(path, n):
    """n inputs of about 100 bytes each, as JSON lines."""
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"lr": i / n, "seed": i, "name": f"trial-{i:06d}",
                                "tag": "abcdefghijklmnopqrstuvwxyz0123"}) + "\n")


def job_per_input(tmp, inputs_path, count):
    """The task as launch renders one job, once per input (its JSON in
    KONDUKTOR_INPUT), as a YAML stream of JSON documents for kubectl
    create -f (kubectl validates each kind it knows; a List it does not)."""
    rendered = subprocess.run([str(BUILD / "tests" / "render-manifests"), "--job-name",
                               "sweep-x", "task.yaml"], cwd=tmp, check=True,
                              capture_output=True).stdout
    job = next(o for o in json.loads(rendered)["items"] if o["kind"] == "Job")
    items = []
    with open(inputs_path) as f:
        for i, line in zip(range(count), f):
            j = copy.deepcopy(job)
            j["metadata"]["name"] = f"sweep-{i:06d}"
            container = j["spec"]["template"]["spec"]["containers"][0]
            container.setdefault("env", []).append({"name": "KONDUKTOR_INPUT",
                                                    "value": line.rstrip("\n")})
            items.append(j)
    path = tmp / f"jobs-{count}.yaml"
    path.write_text("".join("---\n" + json.dumps(j) + "\n" for j in items))
    return path


def measured(cluster, argv, env):
    """Runs argv; returns (seconds, API requests it made, stdout)."""
    cluster.reset_counters()
    start = time.monotonic()
    r = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if r.returncode != 0:
        sys.exit(f"bench_groups: {' '.join(argv[:3])} … failed ({r.returncode}):\n{r.stderr}")
    return elapsed, cluster.counters()["requests"], r.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 100000])
    parser.add_argument("--kubectl-sample", type=int, default=1000)
    args = parser.parse_args()
    plugin = built("kubectl-konduktor")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "task.yaml").write_text(TASK)
        cluster = LocalCluster(built("konduktor-localcluster"), tmp / "cluster",
                               args=["--controllers", "none"]).start()
        home = tmp / "home"
        home.mkdir()
        env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), HOME=str(home))
        try:
            for n in args.sizes:
                inputs = tmp / f"inputs-{n}.jsonl"
                write_inputs(inputs, n)
                map_s, map_requests, out = measured(
                    cluster, [plugin, "map", str(tmp / "task.yaml"), "--inputs", str(inputs)], env)
                group = out.strip()
                sample = min(n, args.kubectl_sample)
                jobs = job_per_input(tmp, inputs, sample)
                kubectl_s, kubectl_requests, _ = measured(
                    cluster, ["kubectl", "--cache-dir", str(home / "kube-cache"), "create",
                              "-f", str(jobs), "-o", "name"], env)
                scale = n / sample
                rows.append((n, map_s, map_requests, kubectl_s * scale,
                             round(kubectl_requests * scale), sample < n))
                # Start the next size from an empty namespace.
                subprocess.run([plugin, "group", "cleanup", group], env=env,
                               capture_output=True)
                cluster.kubectl("delete", "jobs", "--all", "--wait=false")
        finally:
            cluster.stop()
    print(f"{'inputs':>8} | {'map s':>7} {'requests':>9} | {'kubectl s':>10} {'requests':>9}"
          f" | {'time ratio':>10} {'request ratio':>13}")
    for n, map_s, map_r, kube_s, kube_r, extrapolated in rows:
        mark = "~" if extrapolated else " "
        print(f"{n:>8} | {map_s:>7.2f} {map_r:>9} | {mark}{kube_s:>9.1f} {mark}{kube_r:>8}"
              f" | {kube_s / map_s:>9.0f}x {kube_r / max(map_r, 1):>12.0f}x")
    if any(r[5] for r in rows):
        print(f"~ extrapolated linearly from kubectl creating {args.kubectl_sample} Jobs")


if __name__ == "__main__":
    main()
