#!/usr/bin/env python3
"""Benchmark of konduktor-fs (not a test: it prints figures).

    KONDUKTOR_BUILD_DIR=build /usr/bin/python3 tests/bench/bench_fusefs.py [--jobs 100,1000,10000]

For each number of jobs it starts a local cluster with its controllers off
(objects only), stores that many finished konduktor jobs — each a Job as
`launch` makes it, with a Complete status, and its pod with a terminated
container whose termination message is the result — and mounts the tree.
It reports:
  - the mount: from starting konduktor-fs until it returns (it lists all
    first), and its first (cold) and next (warm) `ls` of the root, both as
    a process (`ls` spawned, printing) and in-process (os.listdir);
  - cached reads: `cat status` and `cat result.json` (open, read, close,
    in-process; median and p99 over many files; and a spawned `cat`);
  - the daemon's peak memory (VmHWM) and its resident memory at the end;
  - the delay from an API event to the changed file content: jobs that
    run are made to complete by two status patches; the time from the
    second patch's answer until `status` reads SUCCEEDED (median, p90, max).
Figures depend on the machine and its load: compare runs on the same
machine only. Goals for 10,000 jobs: warm ls under 100 ms, cached reads
under 1 ms, memory under 64 MB.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
os.environ.setdefault("KONDUKTOR_BUILD_DIR", str(HERE.parents[1] / "build"))
from localcluster import LocalCluster  # noqa: E402

BUILD = pathlib.Path(os.environ["KONDUKTOR_BUILD_DIR"])
JOBS = "/apis/batch/v1/namespaces/default/jobs"
PODS = "/api/v1/namespaces/default/pods"
TASK = """name: bench
run: |
  python train.py --lr 0.01
  echo '{"val_loss": 0.42}' > "$KONDUKTOR_OUTPUT_DIR/result.json"
resources:
  cpus: 1
  memory: 2
  image_id: python:3.12
"""
RUNNING_PROBES = 30
THREADS = 4


def template_job(tmp):
    """A Job exactly as `launch` makes it (render-manifests)."""
    task = pathlib.Path(tmp) / "bench.yaml"
    task.write_text(TASK)
    out = subprocess.run([str(BUILD / "tests" / "render-manifests"), "--job-name", "bench-0000",
                          str(task)], capture_output=True, text=True, check=True).stdout
    return [o for o in json.loads(out)["items"] if o["kind"] == "Job"][0]


def job_of(template, name):
    job = json.loads(json.dumps(template))
    job["metadata"]["name"] = name
    job["metadata"]["labels"]["konduktor.io/job-name"] = name
    job["spec"]["template"]["metadata"]["labels"]["konduktor.io/job-name"] = name
    return job


def pod_of(job):
    name = job["metadata"]["name"]
    labels = dict(job["spec"]["template"]["metadata"]["labels"])
    labels.update({"batch.kubernetes.io/job-name": name, "job-name": name,
                   "batch.kubernetes.io/job-completion-index": "0"})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{name}-0-abcde", "labels": labels,
                         "annotations": {"batch.kubernetes.io/job-completion-index": "0"}},
            "spec": job["spec"]["template"]["spec"]}


def finished_status(result):
    return {"status": {"phase": "Succeeded", "containerStatuses": [{
        "name": "task", "image": "python:3.12", "imageID": "", "ready": False,
        "restartCount": 0, "started": False,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed", "message": result,
                                 "startedAt": "2026-01-01T00:00:00Z",
                                 "finishedAt": "2026-01-01T00:00:05Z"}}}]}}


def running_status():
    return {"status": {"phase": "Running", "containerStatuses": [{
        "name": "task", "image": "python:3.12", "imageID": "", "ready": True,
        "restartCount": 0, "started": True,
        "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}}


COMPLETE = {"status": {"conditions": [
    {"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}],
    "succeeded": 1, "completedIndexes": "0"}}


class Api:
    """Keep-alive connections, one per thread."""

    def __init__(self, cluster):
        self.port = cluster.port
        self.local = threading.local()

    def call(self, method, path, body=None, content_type="application/json"):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = json.dumps(body) if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": content_type})
        resp = conn.getresponse()
        payload = resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        return payload


def store_job(api, template, name, finished):
    job = job_of(template, name)
    api.call("POST", JOBS, job)
    pod = pod_of(job)
    api.call("POST", PODS, pod)
    if finished:
        api.call("PATCH", f"{PODS}/{pod['metadata']['name']}/status",
                 finished_status('{"val_loss": 0.42}\n'), "application/merge-patch+json")
        api.call("PATCH", f"{JOBS}/{name}/status", COMPLETE, "application/merge-patch+json")
    else:
        api.call("PATCH", f"{PODS}/{pod['metadata']['name']}/status", running_status(),
                 "application/merge-patch+json")


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def vm(pid, key):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # MiB
    return float("nan")


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def run(n, tmp):
    cluster = LocalCluster(str(BUILD / "localcluster" / "konduktor-localcluster"),
                           pathlib.Path(tmp) / f"cluster-{n}", schema=False,
                           args=["--controllers", "none"])
    cluster.start()
    mnt = pathlib.Path(tmp) / f"mnt-{n}"
    mnt.mkdir()
    proc = None
    try:
        template = template_job(tmp)
        api = Api(cluster)
        names = [f"bench-{i:05d}" for i in range(n)]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda name: store_job(api, template, name, True), names))
            probes = [f"probe-{i:02d}" for i in range(RUNNING_PROBES)]
            list(pool.map(lambda name: store_job(api, template, name, False), probes))
        print(f"\n{n} jobs: stored {n} Jobs + {n} pods in "
              f"{time.perf_counter() - started:.1f} s", flush=True)

        started = time.perf_counter()
        log = pathlib.Path(tmp) / f"fs-{n}.log"
        proc = subprocess.Popen([str(BUILD / "fusefs" / "konduktor-fs"), "-f", "-v", "1",
                                 "--kubeconfig", str(cluster.kubeconfig), "--log-file", str(log),
                                 str(mnt)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while not any(f" {mnt} " in line for line in open("/proc/self/mountinfo")):
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode())
            time.sleep(0.005)
        mount_s = time.perf_counter() - started
        print(f"  mount (list {n + RUNNING_PROBES} jobs, then mount): {ms(mount_s)}")
        for line in log.read_text().splitlines():
            if "listed" in line:
                print("  daemon: " + line.split(": ", 1)[1])

        ls = ["ls", str(mnt)]
        cold_ls = timed(lambda: subprocess.run(ls, stdout=subprocess.DEVNULL, check=True))
        warm_ls = min(timed(lambda: subprocess.run(ls, stdout=subprocess.DEVNULL, check=True))
                      for _ in range(5))
        warm_listdir = min(timed(lambda: os.listdir(mnt)) for _ in range(5))
        assert len(os.listdir(mnt)) == n + RUNNING_PROBES
        print(f"  ls (spawned): cold {ms(cold_ls)}, warm {ms(warm_ls)};"
              f" os.listdir warm {ms(warm_listdir)}")

        sample = random.Random(1).sample(names, min(n, 1000))
        for file in ("status", "result.json"):
            cold = [timed(lambda: read_file(mnt / name / file)) for name in sample]
            warm = [timed(lambda: read_file(mnt / name / file)) for name in sample]
            spawned = min(timed(lambda: subprocess.run(["cat", str(mnt / sample[0] / file)],
                                                       stdout=subprocess.DEVNULL)) for _ in range(5))
            print(f"  cat {file}: first read median {ms(statistics.median(cold))}, "
                  f"then median {ms(statistics.median(warm))}, p99 {ms(quantile(warm, 0.99))}; "
                  f"spawned cat {ms(spawned)}")
        assert read_file(mnt / sample[0] / "result.json") == b'{"val_loss": 0.42}\n'

        delays = []
        for name in probes:
            status = mnt / name / "status"
            assert read_file(status).startswith(b"RUNNING")
            api.call("PATCH", f"{PODS}/{name}-0-abcde/status",
                     finished_status('{"val_loss": 0.1}\n'), "application/merge-patch+json")
            api.call("PATCH", f"{JOBS}/{name}/status", COMPLETE, "application/merge-patch+json")
            answered = time.perf_counter()
            deadline = answered + 10
            while read_file(status) != b"SUCCEEDED\n":
                assert time.perf_counter() < deadline, f"{name} never showed SUCCEEDED"
                time.sleep(0.0005)
            delays.append(time.perf_counter() - answered)
        print(f"  API event -> file content: median {ms(statistics.median(delays))}, "
              f"p90 {ms(quantile(delays, 0.9))}, max {ms(max(delays))} "
              f"({len(delays)} changes)")
        print(f"  daemon memory: peak (VmHWM) {vm(proc.pid, 'VmHWM'):.1f} MiB, "
              f"resident now {vm(proc.pid, 'VmRSS'):.1f} MiB")
    finally:
        subprocess.run(["fusermount3", "-u", "-z", str(mnt)], capture_output=True)
        if proc:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        cluster.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", default="100,1000,10000",
                        help="comma-separated numbers of jobs (default 100,1000,10000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fusefs-") as tmp:
        for n in (int(x) for x in args.jobs.split(",")):
            run(n, tmp)


if __name__ == "__main__":
    main()
