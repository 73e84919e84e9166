#!/usr/bin/python3
"""bench_inputs.py — how long and how much memory turning N inputs of about
100 bytes into a group's objects takes (reading, classifying, encoding,
chunking and rendering them as JSON), through tests/tools/render-manifests.
Prints figures; not a pass/fail test.

    KONDUKTOR_BUILD_DIR=build /usr/bin/python3 tests/bench/bench_inputs.py [N ...]
"""
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

BUILD = pathlib.Path(os.environ.get("KONDUKTOR_BUILD_DIR", "build")).resolve()
TOOL = BUILD / "tests" / "render-manifests"


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 100000]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "task.yaml").write_text(
            "name: sweep\nrun: echo \"$lr\"\nresources: {cpus: 1, memory: 1, image_id: busybox}\n")
        print(f"{'inputs':>8} {'input MiB':>10} {'seconds':>8} {'max RSS MiB':>12} "
              f"{'ConfigMaps':>11} {'output MiB':>11}")
        for n in sizes:
            path = tmp / "inputs.jsonl"
            with open(path, "w") as f:
                for i in range(n):
                    f.write(json.dumps({"lr": i / n, "seed": i, "name": f"trial-{i:06d}",
                                        "tag": "abcdefghijklmnopqrstuvwxyz0123"}) + "\n")
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.monotonic()
            out = subprocess.run([str(TOOL), "--inputs", str(path), "task.yaml"], cwd=tmp,
                                 capture_output=True, check=True).stdout
            elapsed = time.monotonic() - start
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            items = json.loads(out)["items"]
            configmaps = sum(1 for o in items if o["kind"] == "ConfigMap")
            print(f"{n:>8} {path.stat().st_size / 2**20:>10.1f} {elapsed:>8.2f} "
                  f"{max(rss, before) / 1024:>12.1f} {configmaps:>11} {len(out) / 2**20:>11.1f}")


if __name__ == "__main__":
    main()
