"""Secrets never reach the output: at -v=8 (every request and body logged)
the bearer token, client key, Secret data and stringData stay hidden, and
error messages do not carry them either."""
import base64
import json

from kube_fixtures import certs, kube_server, probe  # noqa: F401

TOKEN = "tok-Zq8vNp3Xr7-secret"
PASSWORD = "hunter2-very-secret"
STRING_DATA = "plain-text-secret-value"


def test_debug_output_hides_tokens_keys_and_secret_data(kube_server, probe, tmp_path, certs):
    kube_server.tokens.add(TOKEN)
    kube_server.client_cns.add("alice")
    kube_server.store.put("/api/v1", "secrets", "default", {
        "metadata": {"name": "db"}, "type": "Opaque",
        "data": {"password": base64.b64encode(PASSWORD.encode()).decode()}})
    config = kube_server.kubeconfig(tmp_path / "config", user={
        "token": TOKEN, "client-certificate-data": certs.b64("alice.crt"),
        "client-key-data": certs.b64("alice.key")})
    (tmp_path / "new.json").write_text(json.dumps({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "new"},
        "stringData": {"x": STRING_DATA}}))

    outputs = []
    for args in (("get", "secrets", "db"), ("list", "secrets"),
                 ("create", "secrets", tmp_path / "new.json")):
        r = probe("-v", "8", *args, kubeconfig=config)
        assert r.returncode == 0, r.stderr
        outputs.append(r.stderr)
    log = "\n".join(outputs)

    # The log is there...
    assert f"GET {kube_server.url}/api/v1/namespaces/default/secrets/db 200 OK in " in log
    assert "header: Authorization: Bearer <redacted>" in log
    assert '"password":"<redacted>"' in log
    assert '"x":"<redacted>"' in log
    # ...and the secrets are not.
    key_lines = [line for line in certs.read("alice.key").decode().splitlines()
                 if line and not line.startswith("-----")]
    for secret in [TOKEN, PASSWORD, base64.b64encode(PASSWORD.encode()).decode(), STRING_DATA,
                   certs.b64("alice.key")[:40], *key_lines]:
        assert secret not in log, secret


def test_errors_do_not_carry_the_token(kube_server, probe, tmp_path):
    config = kube_server.kubeconfig(tmp_path / "config", user={"token": TOKEN})
    r = probe("-v", "9", "get", "configmaps", "nope", kubeconfig=config)
    assert r.returncode == 1  # not accepted: 401
    assert TOKEN not in r.stderr
    assert TOKEN not in r.stdout
