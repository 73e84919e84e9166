"""Groups on a local cluster, with real processes (docs/groups.md): `map`
over inputs in every input mode, inputs that are data and never shell,
--max-concurrent as the pods see it, --retries, each row of Kinetic's
fail-fast table, `group cancel`, `group results` from a fresh process
after the launcher exited and after the pods are gone, --as-completed,
malformed inputs, the progress line on a terminal, and `group
status|list|cleanup`.

Pods see the host's file system, so tasks report what they saw by
appending to a log file in the test's directory (given with -e LOG=...).
"""
import json
import os
import pty
import select
import subprocess

import pytest

from conftest import binary
from jobtools import konduktor, plugin_env, wait_until, write_task
from podtools import FAST

RESULT = '"$KONDUKTOR_OUTPUT_DIR/result.json"'


@pytest.fixture
def cluster(cluster_factory):
    return cluster_factory(args=FAST)


def write_inputs(tmp_path, values, name="inputs.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(v) + "\n" for v in values))
    return path


def lines_of(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def log_lines(path):
    return path.read_text().split("\n")[:-1] if path.exists() else []


def submit(cluster, task, inputs, *flags):
    """map without --wait: returns the group id."""
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs), *flags)
    assert r.returncode == 0, r.stderr
    group = r.stdout.strip()
    assert group.startswith("grp-") and len(group) == 12, r.stdout
    return group


# --- inputs ---------------------------------------------------------------------------

def test_results_in_input_order_in_each_mode(cluster, tmp_path):
    n = 50
    cases = {
        "kwargs": ([{"i": i, "s": f"x{i}"} for i in range(n)],
                   f"printf '{{\"i\":%s,\"s\":\"%s\"}}' \"$i\" \"$s\" > {RESULT}",
                   lambda i: {"i": i, "s": f"x{i}"}),
        "args": ([[i, f"x{i}"] for i in range(n)],
                 f"printf '{{\"i\":%s,\"s\":\"%s\",\"n\":%s}}' \"$1\" \"$2\" \"$#\" > {RESULT}",
                 lambda i: {"i": i, "s": f"x{i}", "n": 2}),
        "single": ([f"x{i}" for i in range(n)],
                   f"printf '{{\"s\":\"%s\",\"input\":%s}}' \"$1\" \"$KONDUKTOR_INPUT\" > {RESULT}",
                   lambda i: {"s": f"x{i}", "input": f"x{i}"}),
        # auto: an object is kwargs, an array args, anything else single.
        "auto": ([{"i": i} if i % 3 == 0 else [i, "y"] if i % 3 == 1 else i for i in range(n)],
                 f"printf '{{\"env\":\"%s\",\"first\":\"%s\",\"n\":%s}}' \"${{i:-}}\" \"${{1:-}}\" "
                 f"\"$#\" > {RESULT}",
                 lambda i: {"env": str(i), "first": "", "n": 0} if i % 3 == 0 else
                 {"env": "", "first": str(i), "n": 2 if i % 3 == 1 else 1}),
    }
    groups = {}
    for mode, (values, run, _) in cases.items():
        task = write_task(tmp_path, f"mode-{mode}", run)
        inputs = write_inputs(tmp_path, values, f"{mode}.jsonl")
        groups[mode] = submit(cluster, task, inputs, "--input-mode", mode)
    for mode, (_, _, expected) in cases.items():
        r = konduktor(cluster, "group", "results", groups[mode], "--timeout", "120")
        assert r.returncode == 0, (mode, r.stderr)
        lines = lines_of(r.stdout)
        assert [line["index"] for line in lines] == list(range(n)), mode
        assert [line["result"] for line in lines] == [expected(i) for i in range(n)], mode
        assert all(line["attempts"] == 1 for line in lines)


def test_inputs_are_data_never_shell(cluster, tmp_path):
    marker = tmp_path / "pwned"
    nasty = (f"a \"b\" 'c' $(touch {marker}) `touch {marker}` ; touch {marker} | && "
             f"$(HOME) $HOME ${{HOME}} %s %n \\ \\n \\\\ back\nslash\ttab \u00e9 -n -e end ")
    # kwargs, args and single in one group (auto mode).
    values = [{"v": nasty}, [nasty, "second"], nasty]
    report = ("/usr/bin/python3 -c 'import json, os, sys; json.dump({\"argv\": sys.argv[1:], "
              "\"v\": os.environ.get(\"v\"), \"input\": os.environ[\"KONDUKTOR_INPUT\"], "
              "\"file\": open(os.environ[\"KONDUKTOR_INPUT_FILE\"]).read()}, "
              "open(os.environ[\"KONDUKTOR_OUTPUT_DIR\"] + \"/result.json\", \"w\"))' \"$@\"")
    task = write_task(tmp_path, "echo-back", report)
    inputs = write_inputs(tmp_path, values)
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs), "--wait", "--timeout", "60")
    assert r.returncode == 0, r.stderr
    kwargs, args, single = [line["result"] for line in lines_of(r.stdout)]
    assert kwargs["v"] == nasty and kwargs["argv"] == []
    assert args["argv"] == [nasty, "second"] and args["v"] is None
    assert single["argv"] == [nasty] and single["v"] is None
    for got, value in zip((kwargs, args, single), values):
        assert json.loads(got["input"]) == value
        assert got["file"] == got["input"]
    assert not marker.exists()


def test_malformed_inputs_stop_map_before_anything_is_created(cluster, tmp_path):
    task = write_task(tmp_path, "never", f"echo 1 > {RESULT}")
    cases = [
        ('{"a": 1}\n\n{"a": 2}\n{"a": }\n', "line 4: invalid JSON at byte 6"),
        ('[1,\n 2,\n ,3]\n', "line 3: an empty element in the array (two commas, or a comma "
                             "before ']')"),
        ('{"x": 1}\n{"RANK": 2}\n', "line 2: key 'RANK' would replace a variable konduktor "
                                    "sets; rename it or use --input-mode single"),
        ('', "no inputs"),
    ]
    cluster.reset_counters()
    for text, message in cases:
        path = tmp_path / "bad.jsonl"
        path.write_text(text)
        r = konduktor(cluster, "map", str(task), "--inputs", str(path))
        assert r.returncode == 2, r.stderr
        assert r.stderr == f"error: map: inputs '{path}': {message}\n"
        assert r.stdout == ""
    r = konduktor(cluster, "map", str(task), "--inputs", "-", "--input-mode", "args",
                  input='[1]\n{"a": 1}\n')
    assert r.returncode == 2
    assert r.stderr == ("error: map: inputs '-': line 2: --input-mode args needs a JSON array, "
                        "not an object\n")
    assert cluster.requests_by("kubectl-konduktor/") == 0
    assert cluster.api("GET", "/apis/batch/v1/namespaces/default/jobs")["items"] == []


def test_a_hundred_thousand_inputs_of_a_hundred_bytes(cluster_factory, tmp_path):
    """Submitted to a cluster that stores objects without running them: one
    Job and a few input ConfigMaps, each under Kubernetes' 1 MiB, whose
    chunks cover every input once; the group is followed at that size."""
    objects_only = cluster_factory(args=["--controllers", "none"])
    n = 100_000
    task = write_task(tmp_path, "big", f"echo 1 > {RESULT}")
    pad = "x" * 76  # 100 bytes a line, and its newline
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("".join(f'{{"i": {i:6d}, "pad": "{pad}"}}\n' for i in range(n)))
    assert inputs.stat().st_size == n * 101
    group = submit(objects_only, task, inputs)
    job = objects_only.api("GET", f"/apis/batch/v1/namespaces/default/jobs/{group}")
    assert job["spec"]["completions"] == n
    chunks = objects_only.api("GET", "/api/v1/namespaces/default/configmaps?labelSelector="
                                     f"konduktor.io/group-id={group}")["items"]
    covered = []
    for cm in chunks:
        if not cm["metadata"]["name"].startswith(f"{group}-inputs-"):
            continue
        [(key, value)] = cm["data"].items()
        # What the API server counts against the limit: keys and values.
        assert len(key.encode()) + len(value.encode()) <= 1024 * 1024, key
        first, last = map(int, key.split("-")[1:])
        covered += range(first, last + 1)
    assert sorted(covered) == list(range(n))
    assert len(chunks) < 30
    status = konduktor(objects_only, "group", "status", group, "-o", "json")
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)
    assert (doc["size"], doc["counts"]["PENDING"], len(doc["inputs"])) == (n, n, n)


# --- policy -------------------------------------------------------------------------------

def test_max_concurrent_is_never_exceeded(cluster, tmp_path):
    log = tmp_path / "log"
    task = write_task(tmp_path, "slow", 'echo "start $i" >> "$LOG"; sleep 0.3; '
                                        f'echo "end $i" >> "$LOG"; echo "$i" > {RESULT}')
    inputs = write_inputs(tmp_path, [{"i": i} for i in range(12)])
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs), "--max-concurrent", "3",
                  "--wait", "--timeout", "120", "-e", f"LOG={log}")
    assert r.returncode == 0, r.stderr
    assert [line["result"] for line in lines_of(r.stdout)] == list(range(12))
    running, most = 0, 0
    for event in log_lines(log):
        running += 1 if event.startswith("start") else -1
        most = max(most, running)
    assert len(log_lines(log)) == 24
    assert most == 3


def test_retries_give_each_input_more_attempts(cluster, tmp_path):
    log = tmp_path / "log"
    task = write_task(tmp_path, "flaky",
                      'echo "$i $RESTART_ATTEMPT" >> "$LOG"\n'
                      'if [ "$RESTART_ATTEMPT" -lt "$fail_until" ]; then echo "boom $i" >&2; '
                      'exit 3; fi\n'
                      f'echo "{{\\"i\\": $i, \\"attempt\\": $RESTART_ATTEMPT}}" > {RESULT}')
    inputs = write_inputs(tmp_path, [{"i": i, "fail_until": i} for i in range(4)])
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs), "--retries", "2", "--wait",
                  "--timeout", "120", "-e", f"LOG={log}")
    assert r.returncode == 15, r.stderr
    lines = lines_of(r.stdout)
    assert [(line["index"], line["attempts"], line["result"]) for line in lines] == [
        (i, i + 1, {"i": i, "attempt": i}) for i in range(3)]
    assert r.stderr.endswith(": 1 of 4 inputs failed (1 JobFailed)\n")
    assert sorted(log_lines(log)) == sorted(f"{i} {a}" for i in range(4) for a in range(min(i, 2) + 1))

    group = r.stderr.split(":")[0]
    r = konduktor(cluster, "group", "results", group, "--return-exceptions")
    assert r.returncode == 0, r.stderr
    assert lines_of(r.stdout)[3] == {"index": 3, "attempts": 3, "error": {
        "outcome": "JobFailed", "reason": "exited with code 3: boom 3", "exitCode": 3}}


FAIL_FAST_TASK = (
    'echo "start $i" >> "$LOG"\n'
    # Input 0 runs until the test releases it (20 s at most).
    'if [ "$i" = 0 ]; then n=0; while [ ! -e "$REL" ] && [ $n -lt 400 ]; do sleep 0.05; '
    'n=$((n+1)); done; fi\n'
    # Input 1 fails once input 0 has started.
    'if [ "$i" = 1 ]; then while ! grep -q "start 0" "$LOG"; do sleep 0.05; done; exit 7; fi\n'
    # Input 2 takes a while: if it starts in the moment before the switch,
    # the switch is surely thrown before it ends and frees its slot.
    'if [ "$i" = 2 ]; then sleep 1; else sleep 0.2; fi\n'
    'echo "end $i" >> "$LOG"\n'
    f'echo "$i" > {RESULT}\n')


def control_stopped(cluster, group):
    cm = cluster.api("GET", f"/api/v1/namespaces/default/configmaps/{group}-control")
    return (cm.get("data") or {}).get("stop")


@pytest.mark.parametrize("fail_fast,cancel_running", [(False, False), (True, False),
                                                       (True, True), (False, True)])
def test_fail_fast_rows(cluster, tmp_path, fail_fast, cancel_running):
    """Kinetic's table: input 1 fails while input 0 runs (two at a time)."""
    log, release = tmp_path / "log", tmp_path / "release"
    task = write_task(tmp_path, "ff", FAIL_FAST_TASK)
    inputs = write_inputs(tmp_path, [{"i": i} for i in range(8)])
    flags = ["--fail-fast"] * fail_fast + ["--cancel-running-on-fail"] * cancel_running
    if not fail_fast:
        release.touch()
    proc = subprocess.Popen(
        [binary("kubectl-konduktor"), "map", str(task), "--inputs", str(inputs),
         "--max-concurrent", "2", "--wait", "--return-exceptions", "--timeout", "60",
         "-e", f"LOG={log}", "-e", f"REL={release}", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=plugin_env(cluster))
    if fail_fast and not cancel_running:
        # Running inputs finish: input 0 still runs once the switch is thrown.
        group = wait_until(lambda: next((g for g in [j["metadata"]["name"] for j in cluster.api(
            "GET", "/apis/batch/v1/namespaces/default/jobs")["items"]]), None), what="the group")
        wait_until(lambda: control_stopped(cluster, group), what="the fail-fast switch")
        assert control_stopped(cluster, group) == "input 1 failed"
        release.touch()
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    outcomes = [line["error"]["outcome"] if "error" in line else "Result"
                for line in lines_of(out)]
    started = {int(line.split()[1]) for line in log_lines(log) if line.startswith("start")}
    ended = {int(line.split()[1]) for line in log_lines(log) if line.startswith("end")}
    assert outcomes[1] == "JobFailed"
    if not fail_fast:
        # Every input ran; the failure is collected with the rest.
        assert outcomes == ["Result", "JobFailed"] + ["Result"] * 6
        assert started == set(range(8)) and ended == set(range(8)) - {1}
    elif not cancel_running:
        # No new input starts; the running one finished. One input may
        # start in the moment between the failure and the switch
        # (docs/groups.md): at most input 2, which then runs to its end.
        assert outcomes[0] == "Result" and 0 in ended
        assert started <= {0, 1, 2} and ended == started - {1}
        assert outcomes[2] in ("Result", "Skipped")
        assert outcomes[3:] == ["Skipped"] * 5
        assert err.endswith(" failed (1 JobFailed, %d Skipped)\n" % outcomes.count("Skipped"))
    else:
        # Running inputs are stopped, and nothing else starts.
        assert outcomes == ["Cancelled", "JobFailed"] + ["Skipped"] * 6
        assert started == {0, 1} and ended == set()


def test_group_cancel_stops_running_inputs(cluster, tmp_path):
    log = tmp_path / "log"
    task = write_task(tmp_path, "forever", 'echo "start $i" >> "$LOG"; sleep 60; '
                                           'echo "end $i" >> "$LOG"')
    inputs = write_inputs(tmp_path, [{"i": i} for i in range(4)])
    group = submit(cluster, task, inputs, "--max-concurrent", "2", "-e", f"LOG={log}")
    wait_until(lambda: len(log_lines(log)) == 2, what="two inputs running")
    r = konduktor(cluster, "group", "results", group, "--timeout", "1", "--return-exceptions")
    assert r.returncode == 14, r.stderr
    assert [(line["index"], line.get("attempts"), line["error"]["outcome"])
            for line in lines_of(r.stdout)] == [(0, 1, "Timeout"), (1, 1, "Timeout"),
                                                 (2, None, "Timeout"), (3, None, "Timeout")]
    assert r.stderr == f"{group}: 4 of 4 inputs did not finish within 1s\n"
    r = konduktor(cluster, "group", "cancel", group)
    assert (r.returncode, r.stdout) == (0, f"group '{group}' cancelled\n"), r.stderr
    # cancel returned once no pod of the group runs.
    assert not [p for p in cluster.api("GET", "/api/v1/namespaces/default/pods")["items"]
                if p["status"]["phase"] not in ("Succeeded", "Failed")]
    r = konduktor(cluster, "group", "results", group, "--timeout", "30")
    assert r.returncode == 16, r.stderr
    assert r.stdout == ""
    assert r.stderr == f"{group}: 4 of 4 inputs failed (4 Cancelled); the group was cancelled\n"
    r = konduktor(cluster, "group", "results", group, "--return-exceptions")
    assert r.returncode == 0
    assert [line["error"]["outcome"] for line in lines_of(r.stdout)] == ["Cancelled"] * 4
    assert sorted(log_lines(log)) == ["start 0", "start 1"]
    again = konduktor(cluster, "group", "cancel", group)
    assert (again.returncode, again.stdout) == (0, f"group '{group}' cancelled\n")


# --- following ---------------------------------------------------------------------------------

def test_results_from_another_process_outlive_the_pods(cluster, tmp_path):
    task = write_task(tmp_path, "sq", f'echo "{{\\"sq\\": $((x * x))}}" > {RESULT}')
    inputs = write_inputs(tmp_path, [{"x": x} for x in range(6)])
    group = submit(cluster, task, inputs)  # the launcher has exited
    first = konduktor(cluster, "group", "results", group, "--timeout", "60")
    assert first.returncode == 0, first.stderr
    assert [line["result"] for line in lines_of(first.stdout)] == [{"sq": x * x} for x in range(6)]
    recorded = cluster.api("GET", f"/api/v1/namespaces/default/configmaps/{group}-results-0")
    assert sorted(recorded["data"], key=int) == [str(x) for x in range(6)]

    cluster.kubectl("delete", "pods", "--all", "--wait=true")
    assert cluster.api("GET", "/api/v1/namespaces/default/pods")["items"] == []
    again = konduktor(cluster, "group", "results", group)
    assert (again.returncode, again.stdout) == (0, first.stdout)
    status = json.loads(konduktor(cluster, "group", "status", group, "-o", "json").stdout)
    assert status["state"] == "SUCCEEDED"
    assert status["counts"] == {"PENDING": 0, "RUNNING": 0, "SUCCEEDED": 6, "FAILED": 0}
    assert [i["attempts"] for i in status["inputs"]] == [1] * 6


def test_as_completed_streams_in_completion_order(cluster, tmp_path):
    task = write_task(tmp_path, "gated",
                      'while [ -n "$gate" ] && [ ! -e "$gate" ]; do sleep 0.05; done\n'
                      f'echo "$i" > {RESULT}')
    gates = [tmp_path / "go0", None, tmp_path / "go2"]
    inputs = write_inputs(tmp_path, [{"i": i, "gate": str(g) if g else ""}
                                     for i, g in enumerate(gates)])
    proc = subprocess.Popen(
        [binary("kubectl-konduktor"), "map", str(task), "--inputs", str(inputs), "--wait",
         "--as-completed", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=plugin_env(cluster))
    order = [json.loads(proc.stdout.readline())["index"]]
    gates[2].touch()
    order.append(json.loads(proc.stdout.readline())["index"])
    gates[0].touch()
    order.append(json.loads(proc.stdout.readline())["index"])
    rest, err = proc.communicate(timeout=60)
    assert (proc.returncode, rest) == (0, ""), err
    assert order == [1, 2, 0]
    group = err.split(":")[0]
    in_order = konduktor(cluster, "group", "results", group)
    assert [line["index"] for line in lines_of(in_order.stdout)] == [0, 1, 2]


def run_with_terminal_stderr(argv, env):
    """Runs argv with stdout piped and stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL,
                            env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read()
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, out.decode(), b"".join(chunks).decode()


def test_progress_line_only_on_a_terminal(cluster, tmp_path):
    task = write_task(tmp_path, "nap", f'sleep 0.5; echo "$i" > {RESULT}')
    inputs = write_inputs(tmp_path, [{"i": i} for i in range(4)])
    argv = [binary("kubectl-konduktor"), "map", str(task), "--inputs", str(inputs), "--wait",
            "--max-concurrent", "2"]
    code, out, terminal = run_with_terminal_stderr(argv, plugin_env(cluster))
    assert code == 0, terminal
    assert [line["result"] for line in lines_of(out)] == [0, 1, 2, 3]
    assert "\r" in terminal and "/4 done, " in terminal and " pending" in terminal
    assert "\x1b[K" in terminal
    piped = konduktor(cluster, *argv[1:])
    assert piped.returncode == 0
    assert "\r" not in piped.stderr and "done," not in piped.stderr
    assert piped.stderr.endswith(": 4 inputs submitted\n")


def test_status_list_completion_and_cleanup(cluster, tmp_path):
    task = write_task(tmp_path, "half", f'[ "$i" != 1 ] || exit 4; echo "$i" > {RESULT}')
    inputs = write_inputs(tmp_path, [{"i": i} for i in range(3)])
    group = submit(cluster, task, inputs)
    konduktor(cluster, "group", "results", group, "--timeout", "60")

    status = konduktor(cluster, "group", "status", group)
    assert status.returncode == 0, status.stderr
    header, row = status.stdout.splitlines()
    assert header.split()[:8] == ["GROUP", "TASK", "STATE", "INPUTS", "SUCCEEDED", "FAILED",
                                  "RUNNING", "PENDING"]
    assert row.split()[:8] == [group, "half", "FAILED", "3", "2", "1", "0", "0"]
    wide = konduktor(cluster, "group", "status", group, "-o", "wide").stdout.splitlines()
    assert wide[3].split() == ["INPUT", "STATE", "ATTEMPTS", "OUTCOME", "REASON"]
    assert wide[5].split()[:6] == ["1", "FAILED", "1", "JobFailed", "exited", "with"]

    listed = konduktor(cluster, "group", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:7] == [group, "half", "FAILED", "3", "2", "1",
                                                         "0"]
    assert konduktor(cluster, "group", "list", "-o", "name").stdout == group + "\n"
    words = konduktor(cluster, "__complete", "group", "results", "").stdout.splitlines()
    assert group in [w.split("\t")[0] for w in words]

    ended = konduktor(cluster, "group", "cancel", group)
    assert (ended.returncode, ended.stdout) == (
        0, f"group '{group}' has already ended (FAILED); nothing to cancel\n")
    r = konduktor(cluster, "group", "cleanup", group)
    assert (r.returncode, r.stdout) == (0, f"group '{group}' deleted, with everything it "
                                           "created\n"), r.stderr
    wait_until(lambda: not cluster.api("GET", "/api/v1/namespaces/default/configmaps?"
                                              f"labelSelector=konduktor.io/group-id={group}")["items"],
               what="the ConfigMaps to go")
    assert konduktor(cluster, "group", "status", group).returncode == 3
    gone = konduktor(cluster, "group", "cleanup", group)
    assert (gone.returncode, gone.stdout) == (
        0, f"group '{group}' does not exist in namespace 'default'; nothing to clean up\n")


# --- errors -------------------------------------------------------------------------------

def test_usage_errors(cluster, tmp_path):
    task = write_task(tmp_path, "t", f"echo 1 > {RESULT}")
    inputs = write_inputs(tmp_path, [1])
    cases = [
        (["map", str(task)], "error: map: --inputs is required (a file of JSON lines or a "
                             "JSON array, or - for stdin)\n"),
        (["map", "--inputs", str(inputs)], "error: map: name the task file (TASK.yaml)\n"),
        (["map", str(task), "--inputs", str(inputs), "--as-completed"],
         "error: map: --as-completed needs --wait (or follow the group with 'kubectl "
         "konduktor group results')\n"),
        (["map", str(task), "--inputs", str(inputs), "-o", "json"],
         "error: map: -o applies to --dry-run (map prints the group id; with --wait, JSON "
         "lines)\n"),
        (["map", str(task), "--inputs", str(inputs), "--input-mode", "pairs"],
         "error: map: --input-mode: invalid value 'pairs' (use auto, single, args or kwargs)\n"),
        (["map", str(task), "--inputs", str(tmp_path / "absent.jsonl")],
         f"error: map: inputs '{tmp_path / 'absent.jsonl'}': No such file or directory\n"),
        (["map", str(task), "--inputs", str(inputs), "--max-concurrent", "-1"],
         "error: map: --max-concurrent: -1 is out of range (0 to 100000)\n"),
        (["group"], None),
        (["group", "frobnicate"], "error: group: unknown command 'frobnicate' (use list, "
                                  "status, results, cancel or cleanup)\n"),
        (["group", "results"], "error: group results: name the group (grp-… as map printed "
                               "it)\n"),
        (["group", "list", "extra"], "error: group list: unexpected argument 'extra'\n"),
    ]
    for argv, message in cases:
        r = konduktor(cluster, *argv)
        assert r.returncode == 2, (argv, r.stderr)
        if message is not None:
            assert r.stderr == message, argv
    for argv in (["group", "results", "grp-00000000"], ["group", "status", "grp-00000000"],
                 ["group", "cancel", "grp-00000000"], ["group", "results", "not-a-group"]):
        r = konduktor(cluster, *argv)
        assert r.returncode == 3, (argv, r.stderr)


def test_dry_run_prints_the_objects(cluster, tmp_path):
    """--dry-run (client) needs no cluster; --dry-run=server asks it to validate."""
    task = write_task(tmp_path, "t", f"echo 1 > {RESULT}")
    inputs = write_inputs(tmp_path, [{"i": i} for i in range(3)])
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs), "--dry-run", "-o", "json",
                  "--fail-fast", "--retries", "1", "--max-concurrent", "2")
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)["items"]
    assert [o["kind"] for o in items] == ["ConfigMap", "ConfigMap", "Job"]
    job = items[-1]["spec"]
    assert (job["completions"], job["parallelism"], job["backoffLimitPerIndex"]) == (3, 2, 1)
    # Validated by the API server (so defaulted and with a uid), still not created.
    server = konduktor(cluster, "map", str(task), "--inputs", str(inputs), "--dry-run=server",
                       "-o", "json")
    assert server.returncode == 0, server.stderr
    validated = json.loads(server.stdout)["items"]
    assert [o["kind"] for o in validated] == ["ConfigMap", "Job"]
    assert validated[-1]["spec"]["completionMode"] == "Indexed"
    assert "uid" in validated[-1]["metadata"]
    assert cluster.api("GET", "/apis/batch/v1/namespaces/default/jobs")["items"] == []
    assert cluster.api("GET", "/api/v1/namespaces/default/configmaps")["items"] == []
    bad = konduktor(cluster, "map", str(task), "--inputs", str(inputs), "--dry-run=maybe")
    assert (bad.returncode, bad.stderr) == (
        2, "error: map: --dry-run: unknown value 'maybe' (use client or server)\n")


def test_missing_secret_stops_map_before_anything_is_created(cluster, tmp_path):
    task = write_task(tmp_path, "t", f"echo 1 > {RESULT}")
    inputs = write_inputs(tmp_path, [1])
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs), "--secret", "creds:aws")
    assert r.returncode == 1
    assert r.stderr.startswith("error: map: Secret 'creds' (named by --secret) does not exist "
                               "in namespace 'default'")
    assert cluster.api("GET", "/api/v1/namespaces/default/configmaps")["items"] == []


def test_failed_submission_leaves_nothing_behind(cluster, tmp_path):
    task = write_task(tmp_path, "t", f"echo 1 > {RESULT}")
    inputs = write_inputs(tmp_path, [1, 2])
    cluster.set_faults([{"status": 500, "verb": "create", "resource": "jobs"}])
    r = konduktor(cluster, "map", str(task), "--inputs", str(inputs))
    assert r.returncode == 1
    assert r.stderr.startswith("error: map: ")
    wait_until(lambda: not cluster.api("GET", "/api/v1/namespaces/default/configmaps")["items"],
               what="the input ConfigMaps to be deleted again")


def test_a_follower_that_cannot_record_still_prints(cluster, tmp_path):
    task = write_task(tmp_path, "t", f'echo "$i" > {RESULT}')
    inputs = write_inputs(tmp_path, [{"i": i} for i in range(3)])
    group = submit(cluster, task, inputs)
    cluster.set_faults([{"status": 500, "verb": "create", "resource": "configmaps"}])
    r = konduktor(cluster, "group", "results", group, "--timeout", "60")
    assert r.returncode == 0
    assert [line["result"] for line in lines_of(r.stdout)] == [0, 1, 2]
    assert r.stderr.startswith(f"warning: cannot record the results of group '{group}' (they "
                               "stay readable while its pods exist): ")
    cluster.clear_faults()
    assert not cluster.api("GET", "/api/v1/namespaces/default/configmaps?"
                                  "labelSelector=konduktor.io/component=results")["items"]


def test_following_a_group_that_goes_away(cluster, tmp_path):
    task = write_task(tmp_path, "wait", 'while [ ! -e "$REL" ]; do sleep 0.05; done; '
                                        f'echo 1 > {RESULT}')
    inputs = write_inputs(tmp_path, [1, 2])
    release = tmp_path / "release"
    group = submit(cluster, task, inputs, "--fail-fast", "-e", f"REL={release}")
    # Without its switch, --fail-fast cannot be enforced: a warning, not an end.
    cluster.api("DELETE", f"/api/v1/namespaces/default/configmaps/{group}-control")
    status = konduktor(cluster, "group", "status", group)
    assert status.returncode == 0
    assert status.stderr == (f"warning: group '{group}' has no configmap '{group}-control': "
                             "--fail-fast cannot stop new inputs\n")
    cluster.reset_counters()
    proc = subprocess.Popen([binary("kubectl-konduktor"), "group", "results", group],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=plugin_env(cluster))
    # Once it watches the Job and the pods, the group goes.
    wait_until(lambda: cluster.counters()["watches"] >= 2, what="the follower's watches")
    cluster.api("DELETE", f"/apis/batch/v1/namespaces/default/jobs/{group}")
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (3, ""), err
    assert err.endswith(f"error: group results: group '{group}' was deleted\n"), err
    release.touch()


def test_full_results_configmap_rolls_over_and_followers_agree(cluster, tmp_path):
    inputs = write_inputs(tmp_path, [{"x": x} for x in range(3)])
    release = tmp_path / "release"
    gated = write_task(tmp_path, "gated", 'while [ ! -e "$REL" ]; do sleep 0.05; done; '
                                          f'echo "$x" > {RESULT}')
    group = submit(cluster, gated, inputs, "-e", f"REL={release}")
    # Someone filled results ConfigMap 0 (past the 640 KiB a follower fills).
    cluster.api("POST", "/api/v1/namespaces/default/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": f"{group}-results-0", "labels": {
            "konduktor.io/group-id": group, "konduktor.io/component": "results"}},
        "data": {"pad": "x" * 700000}})
    argv = [binary("kubectl-konduktor"), "group", "results", group, "--timeout", "60"]
    first, second = (subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=plugin_env(cluster)) for _ in range(2))
    release.touch()
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    assert first.returncode == second.returncode == 0, outputs
    assert outputs[0][0] == outputs[1][0]
    assert [line["result"] for line in lines_of(outputs[0][0])] == [0, 1, 2]
    assert outputs[0][1] == (f"warning: configmap '{group}-results-0': key 'pad' is not a "
                             "result line of an input of this group\n")
    rolled = cluster.api("GET", f"/api/v1/namespaces/default/configmaps/{group}-results-1")
    assert sorted(rolled["data"]) == ["0", "1", "2"]
    assert rolled["metadata"]["ownerReferences"][0]["name"] == group
