#!/usr/bin/env python3
"""Benchmark of konduktor-fs (not a test: it prints figures).

    KONDUKTOR_BUILD_DIR=build /usr/bin/python3 tests/bench/bench_fusefs.py \
        [--jobs 100,1000,10000] [--group-inputs 1000,100000]

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

For each number of group inputs it maps a group of that many inputs with
`kubectl konduktor map` (the same cluster: the group's Indexed Job and its
inputs ConfigMaps, nothing runs), mounts the tree and reports:
  - the mount time, and the daemon's memory once mounted;
  - `ls` of the group's directory (one entry per input), cold and warm,
    and cached reads of its `status` and of one input's files;
  - the group finishing in four steps, as followers see it: each step
    records a quarter of the inputs' results in results ConfigMaps (as
    `map --wait` does) and marks them completed in the Job's status; the
    delay until the group's `status` counts them, and the daemon's peak
    and resident memory after each step;
  - four more changes to the Job that change no file, each rebuilding the
    group's view (it is rebuilt whole at every change), and the memory
    after them: it must stay flat, in proportion to the inputs, not grow
    with the number of changes;
  - results.jsonl read whole (one line per input), and the memory per
    input at the end.
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


def mounted(mnt):
    with open("/proc/self/mountinfo") as f:
        return any(f" {mnt} " in line for line in f)


def start_daemon(cluster, mnt, log):
    """konduktor-fs -f on mnt; returns (process, seconds until mounted)."""
    started = time.perf_counter()
    proc = subprocess.Popen([str(BUILD / "fusefs" / "konduktor-fs"), "-f", "-v", "1",
                             "--kubeconfig", str(cluster.kubeconfig), "--log-file", str(log),
                             str(mnt)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not mounted(mnt):
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode())
        time.sleep(0.005)
    return proc, time.perf_counter() - started


def stop_daemon(proc, mnt):
    subprocess.run(["fusermount3", "-u", "-z", str(mnt)], capture_output=True)
    if proc:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def memory(proc):
    return f"peak {vm(proc.pid, 'VmHWM'):.1f} MiB, resident {vm(proc.pid, 'VmRSS'):.1f} MiB"


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

        log = pathlib.Path(tmp) / f"fs-{n}.log"
        proc, mount_s = start_daemon(cluster, mnt, log)
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
        stop_daemon(proc, mnt)
        cluster.stop()


GROUP_TASK = "name: sweep\nrun: echo \"$lr\"\nresources: {cpus: 1, memory: 1, image_id: busybox}\n"
GROUP_STEPS = 4
GROUP_CHURN = 4
GROUP_CHURN_SETTLE_S = 3  # longer than a paced rebuild of 100,000 inputs
RESULTS_CONFIGMAP_BYTES = 640 * 1024  # lib/groupresults.h: GROUP_RESULTS_CHUNK_TARGET
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def write_group_inputs(path, n):
    """n inputs of about 100 bytes each, as JSON lines (as bench_groups.py)."""
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"lr": i / n, "seed": i, "name": f"trial-{i:06d}",
                                "tag": "abcdefghijklmnopqrstuvwxyz0123"}) + "\n")


def map_group(cluster, tmp, n):
    """`kubectl konduktor map` of n inputs; returns (group id, its Job)."""
    task = pathlib.Path(tmp) / "sweep.yaml"
    task.write_text(GROUP_TASK)
    inputs = pathlib.Path(tmp) / f"inputs-{n}.jsonl"
    write_group_inputs(inputs, n)
    home = pathlib.Path(tmp) / "home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), HOME=str(home))
    started = time.perf_counter()
    r = subprocess.run([str(BUILD / "plugin" / "kubectl-konduktor"), "map", str(task),
                        "--inputs", str(inputs)], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"map failed ({r.returncode}): {r.stderr}")
    group = r.stdout.strip()
    print(f"\na group of {n} inputs: mapped {group} in {time.perf_counter() - started:.1f} s",
          flush=True)
    jobs = cluster.api("GET", f"{JOBS}?labelSelector=konduktor.io/group-id={group}")["items"]
    return group, jobs[0]


class ResultsRecord:
    """Records inputs' result lines in results ConfigMaps as followers do
    (lib/groupresults.h): "<id>-results-<k>", labelled like the group's
    inputs ConfigMaps with component "results", owned by the Job, a key
    per input index, a new ConfigMap once one holds about 640 KB."""

    def __init__(self, api, group, job):
        self.api = api
        self.group = group
        inputs = json.loads(api.call("GET", f"{CONFIGMAPS}?labelSelector=konduktor.io/"
                                     f"group-id={group},konduktor.io/component=inputs"))
        labels = dict(inputs["items"][0]["metadata"]["labels"])
        labels["konduktor.io/component"] = "results"
        self.labels = labels
        self.owner = [{"apiVersion": "batch/v1", "kind": "Job", "controller": True,
                       "name": job["metadata"]["name"], "uid": job["metadata"]["uid"]}]
        self.k, self.bytes, self.data = 0, 0, {}

    def _flush(self):
        if not self.data:
            return
        name = f"{self.group}-results-{self.k}"
        body = {"apiVersion": "v1", "kind": "ConfigMap", "data": self.data,
                "metadata": {"name": name, "labels": self.labels,
                             "ownerReferences": self.owner}}
        try:
            self.api.call("PUT", f"{CONFIGMAPS}/{name}", body)
        except RuntimeError:
            self.api.call("POST", CONFIGMAPS, body)

    def add(self, first, last):
        """Records inputs first..last-1, each with a result."""
        for i in range(first, last):
            line = json.dumps({"index": i, "attempts": 1,
                               "result": {"lr": round(i / 7, 6), "loss": 0.5}},
                              separators=(",", ":"))
            if self.bytes + len(line) > RESULTS_CONFIGMAP_BYTES:
                self._flush()
                self.k, self.bytes, self.data = self.k + 1, 0, {}
            self.data[str(i)] = line
            self.bytes += len(line)
        self._flush()


def run_group(n, tmp):
    cluster = LocalCluster(str(BUILD / "localcluster" / "konduktor-localcluster"),
                           pathlib.Path(tmp) / f"group-cluster-{n}", schema=False,
                           args=["--controllers", "none"])
    cluster.start()
    mnt = pathlib.Path(tmp) / f"group-mnt-{n}"
    mnt.mkdir()
    proc = None
    try:
        # What the daemon holds with nothing to show: the baseline.
        proc, _ = start_daemon(cluster, mnt, pathlib.Path(tmp) / f"group-fs-{n}-empty.log")
        empty_mib = vm(proc.pid, "VmRSS")
        stop_daemon(proc, mnt)
        proc = None
        group, job = map_group(cluster, tmp, n)
        api = Api(cluster)
        proc, mount_s = start_daemon(cluster, mnt, pathlib.Path(tmp) / f"group-fs-{n}.log")
        gdir = mnt / group
        status = gdir / "status"
        deadline = time.perf_counter() + 120
        while not status.exists():
            assert time.perf_counter() < deadline, "the group never showed"
            time.sleep(0.01)
        print(f"  mount: {ms(mount_s)}; daemon memory once mounted: {memory(proc)}")

        ls = ["ls", str(gdir)]
        cold_ls = timed(lambda: subprocess.run(ls, stdout=subprocess.DEVNULL, check=True))
        warm_ls = min(timed(lambda: subprocess.run(ls, stdout=subprocess.DEVNULL, check=True))
                      for _ in range(3))
        assert len(os.listdir(gdir)) == n + 4
        sample = random.Random(2).sample(sorted(os.listdir(gdir))[:n], min(n, 200))
        reads = [timed(lambda: read_file(gdir / name / "input.json")) for name in sample]
        reads_status = [timed(lambda: read_file(status)) for _ in range(200)]
        print(f"  ls of the group (spawned): cold {ms(cold_ls)}, warm {ms(warm_ls)}; "
              f"cat status median {ms(statistics.median(reads_status))}, "
              f"cat <index>/input.json median {ms(statistics.median(reads))}")

        record = ResultsRecord(api, group, job)
        done = 0
        for step in range(1, GROUP_STEPS + 1):
            upto = n * step // GROUP_STEPS
            record.add(done, upto)
            done = upto
            patch = {"status": {"succeeded": done, "completedIndexes": f"0-{done - 1}",
                                "active": 0 if done == n else min(100, n - done)}}
            if done == n:
                patch["status"]["conditions"] = COMPLETE["status"]["conditions"]
            api.call("PATCH", f"{JOBS}/{job['metadata']['name']}/status", patch,
                     "application/merge-patch+json")
            answered = time.perf_counter()
            want = f"SUCCEEDED {done}\n".encode()
            deadline = answered + 120
            while want not in read_file(status):
                assert time.perf_counter() < deadline, f"status never counted {done}"
                time.sleep(0.005)
            print(f"  {done} of {n} finished: status after {ms(time.perf_counter() - answered)};"
                  f" daemon memory {memory(proc)}", flush=True)

        # More rebuilds with the same files: the memory must not grow.
        for k in range(GROUP_CHURN):
            api.call("PATCH", f"{JOBS}/{job['metadata']['name']}/status",
                     {"status": {"active": k % 2}}, "application/merge-patch+json")
            time.sleep(GROUP_CHURN_SETTLE_S)  # no file changes: nothing to wait for
        print(f"  after {GROUP_CHURN} more rebuilds that change no file: daemon memory "
              f"{memory(proc)}", flush=True)

        results = gdir / "results.jsonl"
        took = timed(lambda: read_file(results))
        lines = read_file(results).count(b"\n")
        assert lines == n, (lines, n)
        assert read_file(gdir / sample[0] / "result.json").startswith(b'{"lr":')
        print(f"  results.jsonl: {lines} lines, {results.stat().st_size / 2**20:.1f} MiB, "
              f"read in {ms(took)}")
        grown = vm(proc.pid, "VmRSS") - empty_mib
        print(f"  daemon memory at the end: {memory(proc)}; with nothing to show "
              f"{empty_mib:.1f} MiB, so {grown * 2**20 / n:.0f} bytes per input")
    finally:
        stop_daemon(proc, mnt)
        cluster.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", default="100,1000,10000",
                        help="comma-separated numbers of jobs (default 100,1000,10000; "
                        "0 for none)")
    parser.add_argument("--group-inputs", default="1000,100000",
                        help="comma-separated sizes of groups (default 1000,100000; 0 for none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fusefs-") as tmp:
        for n in (int(x) for x in args.jobs.split(",") if int(x) > 0):
            run(n, tmp)
        for n in (int(x) for x in args.group_inputs.split(",") if int(x) > 0):
            run_group(n, tmp)


if __name__ == "__main__":
    main()
