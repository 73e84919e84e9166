#!/usr/bin/env python3
"""Benchmark of konduktor-localcluster's API (not a test: it prints figures).

    KONDUKTOR_BUILD_DIR=build /usr/bin/python3 tests/bench/bench_localcluster.py [--jobs N]

Starts a cluster with the runtime's controllers off (objects only), then
reports: create, get and list requests per second over keep-alive
connections from several processes; the time to list every Job (and to
select one by label) with N Jobs and N Pods stored; the server's resident
memory with them; and, with a state dir, how long a restart takes to load
them. Figures depend on the machine and its load: compare runs on the same
machine only.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import pathlib
import statistics
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
from localcluster import LocalCluster  # noqa: E402

JOBS = "/apis/batch/v1/namespaces/default/jobs"
PODS = "/api/v1/namespaces/default/pods"


def binary():
    build = pathlib.Path(os.environ.get("KONDUKTOR_BUILD_DIR", HERE.parents[1] / "build"))
    return str(build / "localcluster" / "konduktor-localcluster")


def job_body(i):
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": f"job-{i:05d}", "labels": {"bench": "yes", "i": str(i)}},
            "spec": {"completionMode": "Indexed", "completions": 4, "parallelism": 2,
                     "template": {"metadata": {"labels": {"app": "bench"}},
                                  "spec": {"restartPolicy": "Never", "containers": [{
                                      "name": "main", "image": "python:3.12",
                                      "command": ["python", "-c", "print(42)"],
                                      "env": [{"name": "RANK", "value": "0"}],
                                      "resources": {"requests": {"cpu": "500m",
                                                                 "memory": "256Mi"}}}]}}}}


def pod_body(i, job_uid):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"job-{i:05d}-0-abcde",
                         "labels": {"batch.kubernetes.io/job-name": f"job-{i:05d}",
                                    "batch.kubernetes.io/job-completion-index": "0"},
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job",
                                              "name": f"job-{i:05d}", "uid": job_uid,
                                              "controller": True,
                                              "blockOwnerDeletion": True}]},
            "spec": {"nodeSelector": {"bench": "nowhere"}, "containers": [{
                "name": "main", "image": "python:3.12", "command": ["sleep", "1"]}]}}


def worker(args):
    """Runs `count` requests of one kind on one keep-alive connection;
    returns (requests done, seconds)."""
    port, kind, start, count, uids = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "User-Agent": "bench"}
    t0 = time.perf_counter()
    for i in range(start, start + count):
        if kind == "create-job":
            conn.request("POST", JOBS, json.dumps(job_body(i)), headers)
        elif kind == "create-pod":
            conn.request("POST", PODS, json.dumps(pod_body(i, uids[i - start])), headers)
        elif kind == "get":
            conn.request("GET", f"{JOBS}/job-{i % len(uids):05d}", headers=headers)
        elif kind == "list-small":
            conn.request("GET", f"{JOBS}?labelSelector=i%3D{i % len(uids)}", headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"{kind} {i}: {resp.status} {body[:300]!r}")
    conn.close()
    return count, time.perf_counter() - t0


def run_parallel(pool, port, kind, total, processes, uids=None):
    per = total // processes
    chunks = [(port, kind, p * per, per,
               (uids[p * per:(p + 1) * per] if kind == "create-pod" else uids) if uids else [])
              for p in range(processes)]
    t0 = time.perf_counter()
    done = sum(n for n, _ in pool.map(worker, chunks))
    return done / (time.perf_counter() - t0)


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_get(cluster, path, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        status, _, body = cluster.request("GET", path, timeout=120)
        times.append(time.perf_counter() - t0)
        assert status == 200, body[:200]
    return statistics.median(times), len(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10000, help="Jobs (and Pods) to store")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--state-dir", action="store_true",
                        help="keep the objects in a state dir (fsync per write) and time a restart")
    opts = parser.parse_args()
    n, procs = opts.jobs, opts.processes
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-localcluster-"))
    cluster = LocalCluster(binary(), work, state_dir=opts.state_dir or None,
                           args=["--controllers", "none"]).start()
    print(f"konduktor-localcluster benchmark: {n} Jobs + {n} Pods, {procs} client processes, "
          f"{os.cpu_count()} CPUs, schema validation {'on' if cluster.schema_dir else 'off'}, "
          f"state {'dir (fsync)' if opts.state_dir else 'in memory'}")
    rss0 = rss_mib(cluster.pid)
    with multiprocessing.Pool(procs) as pool:
        rate = run_parallel(pool, cluster.port, "create-job", n, procs)
        print(f"  create Job:           {rate:8.0f} requests/s")
        jobs = cluster.api("GET", JOBS)["items"]
        uids = [j["metadata"]["uid"] for j in sorted(jobs, key=lambda j: j["metadata"]["name"])]
        rate = run_parallel(pool, cluster.port, "create-pod", n, procs, uids)
        print(f"  create Pod:           {rate:8.0f} requests/s")
        rate = run_parallel(pool, cluster.port, "get", 4 * n, procs, uids)
        print(f"  get Job:              {rate:8.0f} requests/s")
        rate = run_parallel(pool, cluster.port, "list-small", n, procs, uids)
        print(f"  list 1 of {n} Jobs by label: {rate:8.0f} requests/s")
    seconds, size = timed_get(cluster, JOBS, 20)
    print(f"  list all {n} Jobs:    {seconds * 1000:8.1f} ms (median of 20, {size / 1e6:.1f} MB)")
    seconds, _ = timed_get(cluster, PODS + "?labelSelector=batch.kubernetes.io%2Fjob-name%3Djob-00042", 20)
    print(f"  list a Job's Pods:    {seconds * 1000:8.2f} ms (label selector over {n} Pods)")
    seconds, _ = timed_get(cluster, PODS + "?limit=500", 20)
    print(f"  list a page of 500:   {seconds * 1000:8.2f} ms")
    rss = rss_mib(cluster.pid)
    print(f"  memory (RSS):         {rss:8.1f} MiB with {2 * n} objects "
          f"({rss0:.1f} MiB empty; {(rss - rss0) * 1024 / (2 * n):.1f} KiB per object)")
    if opts.state_dir:
        t0 = time.perf_counter()
        cluster.restart(timeout=300)
        print(f"  restart (stop+load):  {time.perf_counter() - t0:8.2f} s for {2 * n} objects")
        assert len(cluster.api("GET", JOBS)["items"]) == n
    cluster.stop()


if __name__ == "__main__":
    main()
