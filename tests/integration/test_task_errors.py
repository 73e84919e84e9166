"""Malformed task files, configs, inputs and flags each stop before
anything is rendered with exit code 2 and exactly one line on stderr that
names the file and, where there is one, the line and column.

Driven through tests/tools/render-manifests, which loads tasks the way
`kubectl konduktor launch` does (the plugin maps these errors to exit 2)."""
import os
import subprocess

import pytest

from conftest import binary

OK_RESOURCES = "resources:\n  cpus: 1\n  memory: 1\n  image_id: busybox\n"


def run(tmp_path, *args):
    result = subprocess.run([binary("render-manifests"), *args], cwd=tmp_path,
                            capture_output=True, timeout=60)
    return result.returncode, result.stdout, result.stderr.decode("utf-8", "replace")


def expect_one_line_error(tmp_path, args, expected):
    code, out, err = run(tmp_path, *args)
    assert code == 2, err
    assert out == b""
    assert err.count("\n") == 1 and err.endswith("\n"), repr(err)
    assert err.startswith("error: ")
    assert expected in err, err
    return err


CASES = {
    "unknown-field": (
        "name: train\nrun: echo hi\nresorces:\n  cpus: 1\n",
        "error: task 'task.yaml': line 3, column 1: unknown field 'resorces' "
        "(did you mean 'resources'?)"),
    "nested-unknown-field": (
        "name: train\nresources:\n  cpus: 1\n  memroy: 2\n",
        "error: task 'task.yaml': line 4, column 3: unknown field 'memroy' in 'resources' "
        "(did you mean 'memory'?)"),
    "bad-type": (
        "name: train\nnum_nodes: two\n" + OK_RESOURCES,
        "error: task 'task.yaml': line 2, column 12: 'num_nodes' must be an integer, not a string"),
    "bad-cpus": (
        "name: train\nresources:\n  cpus: 4 vCPU\n  memory: 1\n  image_id: x\n",
        "error: task 'task.yaml': line 3, column 9: resources.cpus: invalid value '4 vCPU': give a "
        "number of vCPUs such as 2, 0.5 or \"4.2\""),
    "bad-memory": (
        "name: train\nresources:\n  cpus: 1\n  memory: 16G\n  image_id: x\n",
        "error: task 'task.yaml': line 4, column 11: resources.memory: invalid value '16G': give a "
        "whole number of GiB such as 16"),
    "bad-env-name": (
        "name: train\nenvs:\n  MY-VAR: 1\n" + OK_RESOURCES,
        "error: task 'task.yaml': line 3, column 3: envs: 'MY-VAR' is not a valid environment "
        "variable name"),
    "missing-image": (
        "name: train\nresources:\n  cpus: 1\n  memory: 1\n",
        "error: task 'task.yaml': 'resources.image_id' is required (in the file, or with "
        "--image-id)"),
    "duplicate-key": (
        "name: a\nname: b\n" + OK_RESOURCES,
        "error: task 'task.yaml': line 2, column 1: duplicate key 'name' (first given at line 1, "
        "column 1)"),
    "yaml-syntax": (
        "name: train\nrun: [echo, hi\n" + OK_RESOURCES,
        "error: task 'task.yaml': line 3, column 10: did not find expected ',' or ']'"),
    "tab-indentation": (
        "name: train\nresources:\n\tcpus: 1\n",
        "error: task 'task.yaml': line 3, column 1: found character that cannot start any token"),
    "alias-bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                  for p, c in zip("abcdefgh", "bcdefghi")),
        "document too large: more than 20000 nodes (counting aliases)"),
    "not-a-mapping": (
        "- name: train\n",
        "error: task 'task.yaml': line 1, column 1: a task must be a mapping of fields, not a list"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_task(tmp_path, case):
    text, expected = CASES[case]
    (tmp_path / "task.yaml").write_text(text)
    expect_one_line_error(tmp_path, ["task.yaml"], expected)


def test_binary_garbage(tmp_path):
    with open("/bin/true", "rb") as f:
        (tmp_path / "task.yaml").write_bytes(f.read(8192))
    err = expect_one_line_error(tmp_path, ["task.yaml"], "error: task 'task.yaml': line 1, column ")


def test_fifty_megabyte_file_refused_by_size(tmp_path):
    path = tmp_path / "task.yaml"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    expect_one_line_error(
        tmp_path, ["task.yaml"],
        "error: task 'task.yaml': 52428800 bytes, more than the limit of 131072 bytes (the task is "
        "kept in an annotation, and Kubernetes allows 256 KiB of annotations per object)")


def test_missing_file(tmp_path):
    expect_one_line_error(tmp_path, ["nowhere.yaml"],
                          "error: task 'nowhere.yaml': cannot open: No such file or directory")


def test_bad_flag_values_name_the_flag(tmp_path):
    (tmp_path / "task.yaml").write_text("name: train\n" + OK_RESOURCES)
    expect_one_line_error(tmp_path, ["--cpus", "500m", "task.yaml"],
                          "error: --cpus: invalid value '500m'")
    expect_one_line_error(tmp_path, ["--memory", "8.5", "task.yaml"],
                          "error: --memory: invalid value '8.5'")
    expect_one_line_error(tmp_path, ["--env", "1BAD=x", "task.yaml"],
                          "error: --env: '1BAD' is not a valid environment variable name")
    (tmp_path / "prod.env").write_text("# comment\nGOOD=1\nBAD NAME=2\n")
    expect_one_line_error(tmp_path, ["--env-file", "prod.env", "task.yaml"],
                          "error: env file 'prod.env': line 3: 'BAD NAME' is not a valid variable "
                          "name")


def test_bad_config_and_inputs(tmp_path):
    (tmp_path / "task.yaml").write_text("name: train\n" + OK_RESOURCES)
    (tmp_path / "config.yaml").write_text("accelerators:\n  H100:\n    node_selectr: {}\n")
    expect_one_line_error(tmp_path, ["--config", "config.yaml", "task.yaml"],
                          "error: config 'config.yaml': line 3, column 5: unknown field "
                          "'node_selectr' in 'accelerators.H100' (did you mean 'node_selector'?)")
    (tmp_path / "inputs.jsonl").write_text('{"lr": 1}\n{"lr": 2\n{"lr": 3}\n')
    expect_one_line_error(tmp_path, ["--inputs", "inputs.jsonl", "task.yaml"],
                          "error: inputs 'inputs.jsonl': line 2: invalid JSON at byte")


def test_workdir_over_the_configmap_limit(tmp_path):
    (tmp_path / "work").mkdir()
    with open(tmp_path / "work" / "weights.bin", "wb") as f:
        f.write(os.urandom(2 * 1024 * 1024))
    (tmp_path / "task.yaml").write_text("name: train\nworkdir: ./work\n" + OK_RESOURCES)
    expect_one_line_error(
        tmp_path, ["task.yaml"],
        "error: workdir and file_mounts: 2.0 MiB (2098688 bytes) as tar archives, more than the "
        "1.0 MiB (1048576 bytes) a ConfigMap can hold (Kubernetes' limit on a ConfigMap's data)")
