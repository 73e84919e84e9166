"""Credentials that change: exec credential plugins (caching, expiry,
refresh after a 401, what the plugin is told, certificates from a plugin,
failures), tokenFile re-read on rotation, and the in-cluster service
account."""
import json
import os
import pathlib

from kube_fixtures import certs, kube_server, probe  # noqa: F401

PLUGIN = str(pathlib.Path(__file__).with_name("fake_exec_plugin.py"))
CM = "/api/v1/namespaces/default/configmaps/a"


def setup_object(server):
    server.store.put("/api/v1", "configmaps", "default",
                     {"metadata": {"name": "a"}, "data": {"k": "v"}})


def exec_config(server, tmp_path, api_version="client.authentication.k8s.io/v1", **exec_extra):
    state = tmp_path / "plugin"
    state.mkdir(exist_ok=True)
    exec_cfg = {"command": PLUGIN, "apiVersion": api_version, "interactiveMode": "Never",
                "env": [{"name": "FAKE_PLUGIN_STATE", "value": str(state)}]}
    for key, value in exec_extra.items():
        if key == "env":
            exec_cfg["env"] += value
        else:
            exec_cfg[key] = value
    return server.kubeconfig(tmp_path / "config", user={"exec": exec_cfg}), state


def fresh_dir(parent, name):
    path = parent / name
    path.mkdir()
    return path


def runs(state):
    return int((state / "runs").read_text()) if (state / "runs").exists() else 0


def run_record(state, n):
    return json.loads((state / f"run-{n}.json").read_text())


def test_exec_token_is_cached_until_it_expires(kube_server, probe, tmp_path):
    setup_object(kube_server)
    kube_server.tokens.update({"exec-token-1", "exec-token-2", "exec-token-3"})
    config, state = exec_config(kube_server, tmp_path,
                                env=[{"name": "FAKE_PLUGIN_EXPIRES_IN", "value": "3600"}])
    r = probe("get", "configmaps", "a", "--repeat", "3", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert runs(state) == 1
    assert [q.user for q in kube_server.requests] == ["token:exec-token-1"] * 3
    # An expiry already past: every request needs a fresh credential.
    config, state = exec_config(kube_server, fresh_dir(tmp_path, "expired"),
                                env=[{"name": "FAKE_PLUGIN_EXPIRES_IN", "value": "-60"}])
    r = probe("get", "configmaps", "a", "--repeat", "3", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert runs(state) == 3


def test_exec_plugin_runs_again_after_a_401_and_the_request_is_retried(
        kube_server, probe, tmp_path):
    setup_object(kube_server)
    kube_server.tokens.discard("exec-token-1")  # the first token is already revoked
    kube_server.tokens.add("exec-token-2")
    config, state = exec_config(kube_server, tmp_path)
    r = probe("get", "configmaps", "a", "--repeat", "2", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert runs(state) == 2
    assert [q.user for q in kube_server.requests_to("GET", CM)] == [
        None, "token:exec-token-2", "token:exec-token-2"]
    # A plugin whose fresh token is still refused: one retry only, then 401.
    kube_server.tokens.discard("exec-token-2")
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert (r.error(), r.code()) == ("Unauthorized", 401)
    assert runs(state) == 4  # run 3 for the first try, run 4 for the retry


def test_what_the_plugin_is_given(kube_server, probe, tmp_path, certs):
    setup_object(kube_server)
    kube_server.tokens.add("exec-token-1")
    config, state = exec_config(
        kube_server, tmp_path, provideClusterInfo=True,
        env=[{"name": "FAKE_PLUGIN_EXTRA", "value": "from-kubeconfig"},
             {"name": "PATH_MARKER", "value": "overridden"}])
    # Add the cluster's exec extension, which reaches the plugin as config.
    doc = json.loads(pathlib.Path(config).read_text())
    doc["clusters"][0]["cluster"]["extensions"] = [
        {"name": "client.authentication.k8s.io/exec", "extension": {"audience": "test", "n": 2}}]
    pathlib.Path(config).write_text(json.dumps(doc))
    r = probe("get", "configmaps", "a", kubeconfig=config, env={"PATH_MARKER": "parent"})
    assert r.returncode == 0, r.stderr
    record = run_record(state, 1)
    info = record["exec_info"]
    assert info["apiVersion"] == "client.authentication.k8s.io/v1"
    assert info["kind"] == "ExecCredential"
    assert info["spec"]["interactive"] is False
    assert info["spec"]["cluster"]["server"] == kube_server.url
    assert info["spec"]["cluster"]["certificate-authority-data"] == certs.b64("ca.crt")
    assert info["spec"]["cluster"]["config"] == {"audience": "test", "n": 2}
    # env is added to the parent's environment, replacing a same-named variable.
    assert record["env"] == {"FAKE_PLUGIN_EXTRA": "from-kubeconfig", "PATH_MARKER": "overridden"}
    assert record["stdin_is_devnull"] is True
    # Only stdin, stdout and stderr (and Python's own) are open in the plugin.
    assert [fd for fd in record["fds"] if fd > 3] == []


def test_v1beta1_without_cluster_info(kube_server, probe, tmp_path):
    setup_object(kube_server)
    kube_server.tokens.add("exec-token-1")
    config, state = exec_config(kube_server, tmp_path, "client.authentication.k8s.io/v1beta1",
                                interactiveMode=None)
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    info = run_record(state, 1)["exec_info"]
    assert info["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert "cluster" not in info["spec"]


def test_exec_plugin_client_certificate(kube_server, probe, tmp_path, certs):
    setup_object(kube_server)
    kube_server.client_cns.add("alice")
    config, state = exec_config(kube_server, tmp_path, env=[
        {"name": "FAKE_PLUGIN_CERT", "value": certs.path("alice.crt")},
        {"name": "FAKE_PLUGIN_KEY", "value": certs.path("alice.key")}])
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert kube_server.requests[-1].user == "cert:alice"


def test_exec_plugin_failures_are_reported(kube_server, probe, tmp_path):
    config, state = exec_config(kube_server, tmp_path,
                                env=[{"name": "FAKE_PLUGIN_EXIT", "value": "3"}])
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.error() == f"getting credentials: exec: executable {PLUGIN} failed with exit code 3"
    assert r.code() == -5
    assert "fake plugin: failing on purpose" in r.stderr  # its stderr is the user's
    assert kube_server.requests == []

    config, _ = exec_config(kube_server, fresh_dir(tmp_path, "x"),
                            command="no-such-plugin-anywhere",
                            installHint="install it with\n  apt install it")
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.error() == ("getting credentials: exec: executable no-such-plugin-anywhere not "
                         "found: install it with apt install it")

    config, _ = exec_config(kube_server, fresh_dir(tmp_path, "y"),
                            env=[{"name": "FAKE_PLUGIN_API_VERSION",
                                  "value": "client.authentication.k8s.io/v1beta1"}])
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.error() == ("getting credentials: exec plugin is configured to use API version "
                         "client.authentication.k8s.io/v1, plugin returned version "
                         "client.authentication.k8s.io/v1beta1")

    config, _ = exec_config(kube_server, fresh_dir(tmp_path, "z"), interactiveMode="Always")
    r = probe("get", "configmaps", "a", kubeconfig=config, stdin="")
    assert r.error() == ("getting credentials: exec plugin cannot support interactive mode: "
                         "standard input is not a terminal")

    # A hung plugin is killed when the request timeout passes.
    config, _ = exec_config(kube_server, fresh_dir(tmp_path, "hung"),
                            env=[{"name": "FAKE_PLUGIN_SLEEP", "value": "60"}])
    r = probe("--request-timeout", "1s", "get", "configmaps", "a", kubeconfig=config)
    assert r.error() == f"getting credentials: exec plugin '{PLUGIN}' did not finish within 1 s"

    config, _ = exec_config(kube_server, fresh_dir(tmp_path, "flood"),
                            env=[{"name": "FAKE_PLUGIN_FLOOD", "value": str(2 * 1024 * 1024)}])
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.error() == (f"getting credentials: exec plugin '{PLUGIN}' printed more than "
                         "1048576 bytes")


def test_concurrent_requests_share_one_plugin_run(kube_server, probe, tmp_path):
    setup_object(kube_server)
    kube_server.tokens.add("exec-token-1")
    config, state = exec_config(kube_server, tmp_path)
    r = probe("parallel-get", "configmaps", "a", "--threads", "8", "--repeat", "3",
              kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"requests": 24, "failures": 0}
    assert runs(state) == 1


def write_token(path, token):
    # As the kubelet rotates projected tokens: a new file renamed into place.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(token + "\n")
    os.replace(tmp, path)


def rotate_once(server, token_file, new_token, revoke_old, when):
    """A hook: when `when` requests have arrived, the token file gets
    new_token (old tokens stay valid unless revoke_old)."""
    def hook(req):
        if len(server.requests) == when:
            write_token(token_file, new_token)
            server.tokens = {new_token} if revoke_old else server.tokens | {new_token}
    return hook


def test_token_file_is_read_again_when_it_changes(kube_server, probe, tmp_path):
    setup_object(kube_server)
    token_file = tmp_path / "token"
    write_token(token_file, "first-token")
    kube_server.tokens = {"first-token"}
    config = kube_server.kubeconfig(tmp_path / "config", user={"tokenFile": "token"})

    # Rotated between two requests (the old token still works): the next
    # request carries the new one without needing a 401.
    kube_server.hooks[:] = [rotate_once(kube_server, token_file, "second-token-2", False, 1)]
    r = probe("get", "configmaps", "a", "--repeat", "3", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert [q.user for q in kube_server.requests_to("GET", CM)] == [
        "token:first-token", "token:second-token-2", "token:second-token-2"]

    # Rotated while a request is in flight and the old token revoked: that
    # request is refused (401), the file read again and the request retried.
    kube_server.requests.clear()
    kube_server.hooks[:] = [rotate_once(kube_server, token_file, "third-token-333", True, 2)]
    r = probe("get", "configmaps", "a", "--repeat", "2", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert [q.user for q in kube_server.requests_to("GET", CM)] == [
        "token:second-token-2", None, "token:third-token-333"]

    # A moment without the file (mid-rotation): the last good token is used.
    kube_server.requests.clear()

    def remove_after_first(req):
        if len(kube_server.requests) == 1:
            token_file.unlink()

    kube_server.hooks[:] = [remove_after_first]
    r = probe("get", "configmaps", "a", "--repeat", "2", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert [q.user for q in kube_server.requests_to("GET", CM)] == [
        "token:third-token-333", "token:third-token-333"]


def test_in_cluster_service_account(kube_server, probe, tmp_path, certs):
    setup_object(kube_server)
    kube_server.store.put("/api/v1", "configmaps", "jobs", {"metadata": {"name": "a"}})
    sa = tmp_path / "serviceaccount"
    sa.mkdir()
    write_token(sa / "token", "sa-token-1")
    (sa / "ca.crt").write_bytes(certs.read("ca.crt"))
    (sa / "namespace").write_text("jobs")
    kube_server.tokens = {"sa-token-1"}
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1",
           "KUBERNETES_SERVICE_PORT": str(kube_server.port),
           "KONDUKTOR_SERVICEACCOUNT_DIR": str(sa)}
    r = probe("config", env=env)
    assert r.json() == {"server": kube_server.url, "namespace": "jobs", "context": "",
                        "cluster": "", "user": "", "inCluster": True, "requestTimeoutMs": 30000}

    # The kubelet rotates the projected token: the next request uses it.
    kube_server.hooks.append(rotate_once(kube_server, sa / "token", "sa-token-22", False, 1))
    r = probe("get", "configmaps", "a", "--repeat", "2", env=env)
    assert r.returncode == 0, r.stderr
    got = kube_server.requests_to("GET", "/api/v1/namespaces/jobs/configmaps/a")
    assert [q.user for q in got] == ["token:sa-token-1", "token:sa-token-22"]
    # -n still wins; without the service environment there is no configuration.
    r = probe("-n", "other", "config", env=env)
    assert r.json()["namespace"] == "other"
    r = probe("config", env={"KONDUKTOR_SERVICEACCOUNT_DIR": str(sa)})
    assert r.error().startswith("invalid configuration: no configuration has been provided")
