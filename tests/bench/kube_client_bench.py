#!/usr/bin/python3
"""Figures for the kube/ client (prints numbers; not pass/fail, not in ctest).

Runs tests/tools/kubeprobe against the Python HTTPS test server from
tests/integration (which is the slower side: these are lower bounds on the
client). Usage:
    KONDUKTOR_BUILD_DIR=build /usr/bin/python3 tests/bench/kube_client_bench.py [N]
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
from kube_fixtures import Probe  # noqa: E402
from kube_test_server import Certs, KubeTestServer  # noqa: E402


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    work = pathlib.Path(tempfile.mkdtemp(prefix="kube-bench-"))
    server = KubeTestServer(Certs(work / "certs"))
    server.tokens.add("t")
    config = server.kubeconfig(work / "config", user={"token": "t"})
    (work / "home").mkdir()
    probe = Probe(work / "home")
    for i in range(n):
        server.store.put("/api/v1", "configmaps", "default",
                         {"metadata": {"name": f"job-{i:05d}", "labels": {"app": "bench"}},
                          "data": {"status": "SUCCEEDED", "result": '{"val_loss": 0.42}'}})

    t = time.monotonic()
    r = probe("list", "configmaps", "--limit", "500", "--all-pages", kubeconfig=config,
              timeout=600)
    assert r.returncode == 0, r.stderr
    items = len(r.json()["items"])
    print(f"list --all-pages of {items} objects (pages of 500): "
          f"{time.monotonic() - t:.2f} s")

    t = time.monotonic()
    running = probe.start("watch", "configmaps", "--timeout-seconds", "300", kubeconfig=config)
    running.wait_for(lambda line: json.loads(line)["type"] == "SYNCED", timeout=600)
    print(f"informer first sync of {n} objects: {time.monotonic() - t:.2f} s")
    delays = []
    for i in range(50):
        t = time.monotonic()
        server.store.put("/api/v1", "configmaps", "default", {"metadata": {"name": f"new-{i}"}})
        running.wait_for(lambda line: json.loads(line).get("name") == f"default/new-{i}")
        delays.append((time.monotonic() - t) * 1000)
    print(f"event delay, store change to informer callback: median "
          f"{statistics.median(delays):.1f} ms, max {max(delays):.1f} ms (50 events)")
    running.stop()

    objects = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"b-{i}"}}
               for i in range(1000)]
    (work / "objects.json").write_text(json.dumps(objects))
    # Against this (single-process Python) server parallel requests mostly
    # contend; with some per-request latency, as a real API server has,
    # the bound on requests in flight is what sets the pace.
    for latency_ms in (0, 5):
        server.delay = latency_ms / 1000
        for in_flight in (1, 16):
            for i in range(1000):
                server.store.delete("/api/v1", "configmaps", "default", f"b-{i}")
            t = time.monotonic()
            r = probe("bulk-create", "configmaps", work / "objects.json", "--max-in-flight",
                      str(in_flight), kubeconfig=config, timeout=600)
            assert r.returncode == 0, r.stderr
            elapsed = time.monotonic() - t
            print(f"bulk-create 1000 objects, {latency_ms} ms server latency, "
                  f"{in_flight:2d} in flight: {elapsed:.2f} s ({1000 / elapsed:.0f} creates/s)")
    server.stop()


if __name__ == "__main__":
    main()
