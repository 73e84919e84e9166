"""`kubectl konduktor local up|down|status` with a temporary HOME: the
background server, the context merged into the user's kubeconfig,
idempotence, objects kept across down/up, and loud failures."""
import json
import os
import signal
import subprocess

import pytest
import yaml

from localcluster import wait_for


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir()
    yield h
    # Whatever happened, no server outlives the test.
    ready = h / ".konduktor" / "local" / "server.json"
    if ready.exists():
        try:
            os.kill(json.loads(ready.read_text())["pid"], signal.SIGKILL)
        except (ProcessLookupError, ValueError, KeyError):
            pass


def run(plugin_bin, home, *args, env=None, timeout=90):
    e = dict(os.environ, HOME=str(home))
    e.pop("KUBECONFIG", None)
    e.update(env or {})
    return subprocess.run([plugin_bin, *args], capture_output=True, text=True, env=e,
                          timeout=timeout)


def kubectl(home, *args, kubeconfig=None):
    e = dict(os.environ, HOME=str(home))
    e.pop("KUBECONFIG", None)
    if kubeconfig:
        e["KUBECONFIG"] = str(kubeconfig)
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, env=e, timeout=60)


def test_up_status_down(plugin_bin, home):
    r = run(plugin_bin, home, "local", "status")
    assert r.returncode == 1
    assert r.stdout.startswith("local cluster is not running")

    r = run(plugin_bin, home, "local", "up")
    assert r.returncode == 0, r.stderr
    first_line = r.stdout.splitlines()[0]
    assert first_line.startswith("local cluster running at https://127.0.0.1:")
    url = first_line.split()[4]
    assert 'context "konduktor-local"' in r.stdout and "is now the current context" in r.stdout

    config_path = home / ".kube" / "config"
    assert oct(config_path.stat().st_mode & 0o777) == "0o600"
    config = yaml.safe_load(config_path.read_text())
    assert config["current-context"] == "konduktor-local"
    assert config["clusters"][0]["cluster"]["server"] == url
    r = kubectl(home, "get", "nodes", "-o", "name")
    assert r.stdout.strip() == "node/local", r.stderr

    # Again: nothing new starts.
    r = run(plugin_bin, home, "local", "up")
    assert r.returncode == 0
    assert r.stdout.startswith(f"local cluster already running at {url}")

    r = run(plugin_bin, home, "local", "status", "-o", "json")
    assert r.returncode == 0
    status = json.loads(r.stdout)
    assert status["running"] and status["healthy"] and status["url"] == url
    pid = status["pid"]

    subprocess.run(["kubectl", "apply", "-f", "-"], input=json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "survivor"},
        "data": {"a": "1"}}), text=True, capture_output=True, check=True, timeout=60,
        env=dict(os.environ, HOME=str(home)))

    r = run(plugin_bin, home, "local", "down")
    assert r.returncode == 0 and r.stdout.startswith("local cluster stopped")
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), what="server process gone")
    r = run(plugin_bin, home, "local", "down")
    assert (r.returncode, r.stdout) == (0, "local cluster is not running\n")
    r = run(plugin_bin, home, "local", "status")
    assert r.returncode == 1

    # Up again: same port, same objects, same certificates.
    r = run(plugin_bin, home, "local", "up")
    assert r.returncode == 0 and url in r.stdout
    r = kubectl(home, "get", "configmap", "survivor", "-o", "jsonpath={.data.a}")
    assert r.stdout == "1", r.stderr
    assert run(plugin_bin, home, "local", "down").returncode == 0


def test_existing_kubeconfig_keeps_its_current_context(plugin_bin, home, tmp_path):
    kc = tmp_path / "elsewhere.yaml"
    kc.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "prod",
        "clusters": [{"name": "prod", "cluster": {"server": "https://prod.example:6443"}}],
        "users": [{"name": "prod", "user": {"token": "secret"}}],
        "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "prod"}}],
        "preferences": {}}))
    kc.chmod(0o640)
    env = {"KUBECONFIG": f"{kc}:{tmp_path / 'second.yaml'}"}
    r = run(plugin_bin, home, "local", "up", env=env)
    assert r.returncode == 0, r.stderr
    assert "use it with --context konduktor-local" in r.stdout
    config = yaml.safe_load(kc.read_text())
    assert config["current-context"] == "prod"
    assert [c["name"] for c in config["contexts"]] == ["prod", "konduktor-local"]
    assert config["users"][0] == {"name": "prod", "user": {"token": "secret"}}
    assert oct(kc.stat().st_mode & 0o777) == "0o640"  # the file's own mode is kept
    assert not (home / ".kube").exists()
    r = kubectl(home, "--context", "konduktor-local", "get", "nodes", "-o", "name",
                kubeconfig=kc)
    assert r.stdout.strip() == "node/local", r.stderr

    r = run(plugin_bin, home, "local", "up", "--set-context", env=env)
    assert r.returncode == 0
    config = yaml.safe_load(kc.read_text())
    assert config["current-context"] == "konduktor-local"
    # The entry was replaced, not added twice.
    assert [c["name"] for c in config["contexts"]] == ["prod", "konduktor-local"]
    assert run(plugin_bin, home, "local", "down", env=env).returncode == 0


def test_failures_are_loud(plugin_bin, home):
    r = run(plugin_bin, home, "local", "up", "--", "--no-such-flag")
    assert r.returncode == 1
    assert "konduktor-localcluster exited with status 2 before it was ready" in r.stderr
    assert "unknown flag '--no-such-flag'" in r.stderr  # the log's tail
    r = run(plugin_bin, home, "local", "sideways")
    assert r.returncode == 2
    assert "unknown command 'sideways'" in r.stderr
    r = run(plugin_bin, home, "local", "status", "-o", "yaml")
    assert r.returncode == 2
    r = run(plugin_bin, home, "local", "down", "--", "x")
    assert r.returncode == 2
    r = run(plugin_bin, home, "local", "up", "--timeout", "soon")
    assert r.returncode == 2


def test_help(plugin_bin, home):
    r = run(plugin_bin, home, "local", "--help")
    assert r.returncode == 0
    for word in ("up", "down", "status", "~/.konduktor/local", "konduktor-local"):
        assert word in r.stdout
    r = run(plugin_bin, home, "local", "up", "--help")
    assert r.returncode == 0
    assert "Usage:\n  kubectl konduktor local up" in r.stdout
    assert "--set-context" in r.stdout and "--port N" in r.stdout


def test_missing_server_binary_is_a_clear_error(plugin_bin, home, tmp_path):
    lonely = tmp_path / "bin"
    lonely.mkdir()
    copy = lonely / "kubectl-konduktor"
    copy.write_bytes(open(plugin_bin, "rb").read())
    copy.chmod(0o755)
    r = run(str(copy), home, "local", "up", env={"PATH": str(lonely)})
    assert r.returncode == 1
    assert ("cannot find konduktor-localcluster next to kubectl-konduktor or on PATH"
            in r.stderr)
    # $KONDUKTOR_LOCALCLUSTER names one explicitly.
    r = run(str(copy), home, "local", "status", "-o", "json",
            env={"PATH": str(lonely), "KONDUKTOR_LOCALCLUSTER": "/nonexistent"})
    assert json.loads(r.stdout)["running"] is False
