"""konduktor-fs's group directories: a group mapped with `kubectl konduktor
map` shows its status (counts per state), inputs.jsonl, results.jsonl byte
for byte as `kubectl konduktor group results --return-exceptions` prints it
(computed from the pods, and again once a follower recorded the results),
and one zero-padded directory per input, laid out like a job's."""
import json
import os

from fusetools import fs_mount, read, wait_for_file  # noqa: F401
from jobtools import konduktor, write_task

RUN = """if [ "$fail" = "true" ]; then echo "input $n fails" >&2; exit 4; fi
echo "input $n"
echo "{\\"square\\": $((n * n))}" > "$KONDUKTOR_OUTPUT_DIR/result.json\""""


def test_a_group_directory(cluster, fs_mount, tmp_path):
    task = write_task(tmp_path, "sq", RUN)
    inputs = [{"n": n, "fail": n in (3, 10)} for n in range(12)]
    inputs_file = tmp_path / "inputs.jsonl"
    inputs_file.write_text("".join(json.dumps(i) + "\n" for i in inputs))
    m = fs_mount(cluster)
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs_file))
    assert r.returncode == 0, r.stderr
    group = r.stdout.strip()
    assert group.startswith("grp-")

    gdir = m.path / group
    status = wait_for_file(gdir / "status", lambda t: t and t.split("\n")[0] == "FAILED")
    assert status.endswith("PENDING 0\nRUNNING 0\nSUCCEEDED 10\nFAILED 2\n"), status
    names = sorted(os.listdir(gdir))
    assert names == [f"{i:02d}" for i in range(12)] + [
        "inputs.jsonl", "results.jsonl", "status", "task.yaml"]
    assert read(gdir / "inputs.jsonl") == inputs_file.read_text()
    assert read(gdir / "task.yaml") == task.read_text()

    # Per input, as a job directory.
    assert sorted(os.listdir(gdir / "02")) == ["input.json", "logs", "result.json", "status",
                                              "task.yaml"]
    assert read(gdir / "02" / "status") == "SUCCEEDED\n"
    assert read(gdir / "02" / "result.json") == '{"square": 4}\n'
    assert read(gdir / "02" / "input.json") == json.dumps(inputs[2]) + "\n"
    assert read(gdir / "02" / "logs") == "input 2\n"
    error = read(gdir / "10" / "error")
    assert error.startswith("JobFailed\nexited with code 4: input 10 fails\n"), error
    assert read(gdir / "10" / "status").startswith("FAILED\n")

    # results.jsonl: computed from the pods, as the follower computes it...
    computed = read(gdir / "results.jsonl")
    results = konduktor(cluster, "group", "results", group, "--return-exceptions")
    assert results.returncode == 0, results.stderr
    assert computed == results.stdout
    lines = [json.loads(line) for line in computed.splitlines()]
    assert [line["index"] for line in lines] == list(range(12))
    assert lines[5]["result"] == {"square": 25}
    assert lines[3]["error"]["outcome"] == "JobFailed"

    # ... and from the record once the pods are gone.
    cluster.kubectl("delete", "pods", "-l", f"konduktor.io/group-id={group}")
    wait_for_file(gdir / "02" / "logs", lambda t: t == "" or t is None)
    assert read(gdir / "results.jsonl") == results.stdout
    assert read(gdir / "02" / "result.json") == '{"square":4}\n'


def test_a_group_stopped_by_a_failure(cluster, fs_mount, tmp_path):
    # --fail-fast --cancel-running-on-fail: the Job itself stops at the
    # first failure; the inputs it never started are Skipped, in the tree
    # as in `group results`.
    task = write_task(tmp_path, "sq", RUN)
    inputs_file = tmp_path / "inputs.jsonl"
    inputs_file.write_text("".join(json.dumps({"n": n, "fail": n == 1}) + "\n" for n in range(5)))
    m = fs_mount(cluster)
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs_file), "--max-concurrent",
                  "1", "--fail-fast", "--cancel-running-on-fail")
    assert r.returncode == 0, r.stderr
    gdir = m.path / r.stdout.strip()
    wait_for_file(gdir / "status", lambda t: t and t.split("\n")[0] == "FAILED")
    computed = wait_for_file(gdir / "results.jsonl", lambda t: t and t.count("\n") == 5)
    results = konduktor(cluster, "group", "results", r.stdout.strip(), "--return-exceptions")
    assert computed == results.stdout
    lines = [json.loads(line) for line in computed.splitlines()]
    assert "result" in lines[0] and lines[1]["error"]["outcome"] == "JobFailed"
    assert [line["error"]["outcome"] for line in lines[2:]] == ["Skipped"] * 3
    # Five inputs: no leading zeros needed.
    assert sorted(os.listdir(gdir))[:5] == ["0", "1", "2", "3", "4"]
    assert read(gdir / "4" / "error") == "Skipped\nskipped: the group stopped after a failure\n"
    assert read(gdir / "4" / "status").startswith("FAILED\nSkipped")


def test_a_running_group_shows_its_progress(cluster, fs_mount, tmp_path):
    """What `watch ls` and `cat status` show while a group runs: input 0 has
    finished, input 1 waits for the test, then finishes too."""
    gate = tmp_path / "gate"
    task = write_task(tmp_path, "gated", 'if [ "$n" = 1 ]; then while [ ! -e "$GATE" ]; do '
                      'sleep 0.05; done; fi\n' + RUN)
    inputs_file = tmp_path / "inputs.jsonl"
    inputs_file.write_text("".join(json.dumps({"n": n, "fail": False}) + "\n" for n in range(2)))
    m = fs_mount(cluster)
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs_file), "-e", f"GATE={gate}")
    assert r.returncode == 0, r.stderr
    gdir = m.path / r.stdout.strip()
    # Input 1's pod may still be starting when input 0 ends: wait for both.
    midway = wait_for_file(gdir / "status",
                           lambda t: t and "SUCCEEDED 1\n" in t and "RUNNING 1\n" in t)
    assert midway.startswith("RUNNING\n"), midway
    assert "result.json" in os.listdir(gdir / "0") and "result.json" not in os.listdir(gdir / "1")
    assert read(gdir / "results.jsonl") == '{"index":0,"attempts":1,"result":{"square":0}}\n'
    gate.touch()
    done = wait_for_file(gdir / "status", lambda t: t and t.startswith("SUCCEEDED\n"))
    assert done.endswith("PENDING 0\nRUNNING 0\nSUCCEEDED 2\nFAILED 0\n"), done
    assert "result.json" in os.listdir(gdir / "1")
    assert read(gdir / "results.jsonl").count("\n") == 2
