#!/usr/bin/env python3
"""Benchmark of `kubectl konduktor launch` (not a test: it prints figures).

    KONDUKTOR_BUILD_DIR=build /usr/bin/python3 tests/bench/bench_launch.py [--runs N] [--results N]

1. `kubectl konduktor launch -d -y task.yaml` against `kubectl create -f`
   of the equivalent manifest (the Job that `launch --dry-run` prints,
   named by generateName), both against the same local cluster with its
   controllers off (objects only, so that running pods do not weigh on
   either), measured by hyperfine: medians and their ratio.
2. The time from the end of a task to `launch --wait` printing its
   result: the task's last command writes the wall-clock time into its
   result; the time the result line reaches this script's pipe minus that
   time, over many runs (median, p90, max). It covers the pod wrapper's
   report, the kubelet's status, the Job controller marking the Job
   complete, the watch events and the plugin's output.

Figures depend on the machine and its load: compare runs on the same
machine only.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
from localcluster import LocalCluster  # noqa: E402

BUILD = pathlib.Path(os.environ.get("KONDUKTOR_BUILD_DIR", HERE.parents[1] / "build"))
PLUGIN = str(BUILD / "plugin" / "kubectl-konduktor")
SERVER = str(BUILD / "localcluster" / "konduktor-localcluster")

TASK = """name: bench
run: |
  python3 -c 'import json, os, time; json.dump({"t": time.time()}, open(os.path.join(os.environ["KONDUKTOR_OUTPUT_DIR"], "result.json"), "w"))'
resources: {cpus: 0.1, memory: 1, image_id: python:3.12-slim}
"""


def environment(workdir, kubeconfig):
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, KUBECONFIG=str(kubeconfig), HOME=str(home))
    env.pop("KONDUKTOR_CONFIG", None)
    return env


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_create(workdir, runs):
    task = workdir / "task.yaml"
    task.write_text(TASK)
    with LocalCluster(SERVER, workdir / "cluster-create", args=["--controllers", "none"]) as c:
        env = environment(workdir, c.kubeconfig)
        listing = subprocess.run([PLUGIN, "launch", "--dry-run", "-o", "json", str(task)],
                                 env=env, capture_output=True, text=True, check=True)
        job = json.loads(listing.stdout)["items"][-1]
        del job["metadata"]["name"]
        job["metadata"]["generateName"] = "bench-"
        manifest = workdir / "job.json"
        manifest.write_text(json.dumps(job))
        cache = workdir / "kube-cache"
        out = workdir / "hyperfine.json"
        commands = [f"{PLUGIN} launch -d -y {task}",
                    f"kubectl --cache-dir {cache} create -f {manifest}"]
        subprocess.run(["hyperfine", "--warmup", "3", "--runs", str(runs), "--style", "none",
                        "--export-json", str(out), *commands], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        results = json.loads(out.read_text())["results"]
        created = len(c.api("GET", "/apis/batch/v1/namespaces/default/jobs")["items"])
    ours, theirs = (statistics.median(r["times"]) * 1000 for r in results)
    print(f"launch -d vs kubectl create -f ({runs} runs each, {created} Jobs created):")
    print(f"  kubectl konduktor launch -d   median {ours:7.1f} ms")
    print(f"  kubectl create -f             median {theirs:7.1f} ms")
    print(f"  ratio launch/create           {ours / theirs:7.2f}")


def bench_result_latency(workdir, runs):
    task = workdir / "task.yaml"
    task.write_text(TASK)
    delays = []
    with LocalCluster(SERVER, workdir / "cluster-latency") as c:
        env = environment(workdir, c.kubeconfig)
        for _ in range(runs):
            proc = subprocess.Popen([PLUGIN, "launch", "--wait", "-y", str(task)], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            line = proc.stdout.readline()
            printed = time.time()
            proc.wait()
            if proc.returncode != 0:
                raise SystemExit(f"launch --wait exited with {proc.returncode}")
            delays.append((printed - json.loads(line)["t"]) * 1000)
    print(f"task end -> launch --wait prints the result ({runs} runs):")
    print(f"  median {statistics.median(delays):7.1f} ms   p90 {percentile(delays, 90):7.1f} ms"
          f"   max {max(delays):7.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="hyperfine runs per command")
    parser.add_argument("--results", type=int, default=40, help="launch --wait runs")
    args = parser.parse_args()
    if not shutil.which("hyperfine"):
        raise SystemExit("hyperfine is not installed (scripts/install-deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="konduktor-bench-") as tmp:
        workdir = pathlib.Path(tmp)
        bench_create(workdir, args.runs)
        bench_result_latency(workdir, args.results)


if __name__ == "__main__":
    main()
