"""HTTPS, bearer tokens and client certificates, with kubectl and the
Python client, and the 401 Status the real server answers without them."""
import json
import ssl

import pytest


def unauthorized(stderr):
    # kubectl words a 401 one of two ways, depending on where it met it.
    return "(Unauthorized)" in stderr or "asked for the client to provide credentials" in stderr


def test_https_with_kubectl_and_python(cluster_factory):
    c = cluster_factory(tls=True)
    assert c.url.startswith("https://127.0.0.1:")
    assert c.kubectl("get", "nodes", "-o", "name").stdout.strip() == "node/local"
    from kubernetes import client, watch
    api = client.CoreV1Api(c.python_client())
    assert [n.metadata.name for n in api.list_node().items] == ["local"]
    # A watch streams over TLS as well.
    rv = api.list_namespaced_config_map("default").metadata.resource_version
    api.create_namespaced_config_map("default", {"metadata": {"name": "over-tls"}})
    events = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        api.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=1)]
    assert events == [("ADDED", "over-tls")]


def test_untrusted_certificate_is_refused_by_clients(cluster_factory, tmp_path):
    c = cluster_factory(tls=True)
    kc = c.write_kubeconfig(tmp_path / "kc")
    text = json.loads(kc.read_text())
    text["clusters"][0]["cluster"]["certificate-authority"] = str(c.tls.other_ca)
    kc.write_text(json.dumps(text))
    r = c.kubectl("get", "nodes", kubeconfig=kc, check=False)
    assert r.returncode == 1 and "x509: certificate signed by unknown authority" in r.stderr


def test_bearer_token(cluster_factory, tmp_path):
    c = cluster_factory(token=True)
    assert c.kubectl("get", "nodes", "-o", "name").stdout.strip() == "node/local"
    status, _, body = c.request("GET", "/api/v1/nodes", auth=False)
    assert status == 401
    assert json.loads(body) == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                "status": "Failure", "message": "Unauthorized",
                                "reason": "Unauthorized", "code": 401}
    assert c.request("GET", "/api/v1/nodes", auth=False,
                     headers={"Authorization": "Bearer wrong"})[0] == 401
    # Health and version stay public, as on a real cluster.
    assert c.request("GET", "/readyz", auth=False)[0] == 200
    assert c.request("GET", "/version", auth=False)[0] == 200
    r = c.kubectl("get", "nodes", kubeconfig=c.write_kubeconfig(tmp_path / "bad",
                                                               user="bad-token"), check=False)
    assert r.returncode == 1 and unauthorized(r.stderr)
    # The token never shows in the server's log.
    assert c.token not in c.log()


def test_client_certificates(cluster_factory, tmp_path):
    c = cluster_factory(client_cert=True)
    assert c.kubectl("get", "nodes", "-o", "name").stdout.strip() == "node/local"
    from kubernetes import client
    assert client.CoreV1Api(c.python_client()).list_namespace().items
    anonymous = c.write_kubeconfig(tmp_path / "anon", user="anonymous")
    r = c.kubectl("get", "nodes", kubeconfig=anonymous, check=False)
    assert r.returncode == 1 and unauthorized(r.stderr)
    intruder = c.write_kubeconfig(tmp_path / "intruder", user="other-cert")
    r = c.kubectl("get", "nodes", kubeconfig=intruder, check=False)
    assert r.returncode == 1


def test_token_or_certificate_either_works(cluster_factory, tmp_path):
    c = cluster_factory(client_cert=True, token=True)
    with_token = c.write_kubeconfig(tmp_path / "token", user="anonymous")
    config = json.loads(with_token.read_text())
    config["users"][0]["user"] = {"token": c.token}
    with_token.write_text(json.dumps(config))
    assert c.kubectl("get", "nodes", kubeconfig=with_token).returncode == 0


def test_kubeconfig_out_is_usable_and_private(cluster_factory, tmp_path):
    out = tmp_path / "written-kubeconfig"
    c = cluster_factory(tls=True, token=True, args=["--kubeconfig-out", str(out)])
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    text = out.read_text()
    assert f"server: {c.url}" in text and f"token: {c.token}" in text
    # It trusts the serving certificate itself; our test certificate is
    # CA-signed, so point the check at what the file says.
    assert "certificate-authority-data:" in text
    assert "current-context: konduktor-local" in text


def test_bad_tls_flags_are_usage_errors(cluster_factory, tmp_path):
    from localcluster import ClusterError, LocalCluster, Tls
    import subprocess
    binary = cluster_factory().binary
    r = subprocess.run([binary, "--client-ca-file", str(Tls.shared().ca)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "--client-ca-file needs TLS" in r.stderr
    r = subprocess.run([binary, "--tls-cert-file", str(Tls.shared().server_cert)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    bad = LocalCluster(binary, tmp_path / "bad", tls=True)
    bad.tls = Tls.shared()
    bad.args = ["--tls-private-key-file", str(Tls.shared().client_key)]  # key of another cert
    with pytest.raises(ClusterError):
        bad.start(timeout=10)
    assert ssl  # the stdlib module the fixture relies on is present


def test_pki_dir_makes_and_keeps_certificates(cluster_factory, tmp_path):
    """--pki-dir: the server makes a CA and certificates once, serves HTTPS
    with client certificates required, and --kubeconfig-out embeds them."""
    pki = tmp_path / "pki"
    out = tmp_path / "kubeconfig"
    c = cluster_factory(args=["--pki-dir", str(pki), "--kubeconfig-out", str(out)])
    assert c.url.startswith("https://")
    assert oct(pki.stat().st_mode & 0o777) == "0o700"
    for key in ("ca.key", "server.key", "client.key"):
        assert oct((pki / key).stat().st_mode & 0o777) == "0o600"
    assert c.kubectl("get", "nodes", "-o", "name", kubeconfig=out).stdout.strip() == "node/local"
    from kubernetes import client
    assert client.CoreV1Api(c.python_client(kubeconfig=out)).list_namespace().items
    # Without the client certificate: 401.
    text = json.loads(json.dumps(__import__("yaml").safe_load(out.read_text())))
    del text["users"][0]["user"]["client-certificate-data"]
    del text["users"][0]["user"]["client-key-data"]
    text["users"][0]["user"] = {"username": "x", "password": "y"}
    anonymous = tmp_path / "anonymous"
    anonymous.write_text(json.dumps(text))
    r = c.kubectl("get", "nodes", kubeconfig=anonymous, check=False)
    assert r.returncode == 1 and unauthorized(r.stderr)
    # A restart reuses the same CA, so kubeconfigs stay valid.
    ca = (pki / "ca.crt").read_bytes()
    c.restart()
    assert (pki / "ca.crt").read_bytes() == ca
    assert c.kubectl("get", "nodes", kubeconfig=out).returncode == 0
    # The certificates come from the directory; naming others is refused.
    import subprocess
    r = subprocess.run([c.binary, "--pki-dir", str(pki), "--tls-cert-file", "x",
                        "--tls-private-key-file", "y"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 2 and "--pki-dir provides the certificates" in r.stderr
