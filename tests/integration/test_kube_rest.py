"""The kube/ client's REST calls against a real HTTPS server: TLS
verification, each authentication method, the server's Status messages
reaching the user verbatim, writes with their options, list pages, retries
(429 with Retry-After, 5xx and dropped connections only where safe),
timeouts, and pod logs."""
import json
import threading

from kube_fixtures import certs, kube_server, probe  # noqa: F401
from kube_fixtures import closed_port, silent_listener, unreachable_kubeconfig

NS_CM = "/api/v1/namespaces/default/configmaps"


def cm(name, labels=None, data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels or {}}, "data": data or {"k": "v"}}


def token_config(server, tmp_path, token="good-token", **kwargs):
    return server.kubeconfig(tmp_path / "config", user={"token": token}, **kwargs)


# --- TLS and identity -------------------------------------------------------


def test_bearer_token_get_and_list_with_selector(kube_server, probe, tmp_path):
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a", {"app": "x"}))
    kube_server.store.put("/api/v1", "configmaps", "default", cm("b", {"app": "y"}))
    config = token_config(kube_server, tmp_path)

    got = probe("get", "configmaps", "a", kubeconfig=config)
    assert got.returncode == 0, got.stderr
    assert got.json()["metadata"]["name"] == "a"
    assert kube_server.requests_to("GET", NS_CM + "/a")[0].user == "token:good-token"

    listed = probe("list", "configmaps", "-l", "app in (x),tier!=db", kubeconfig=config)
    assert listed.returncode == 0, listed.stderr
    # The selector reached the server intact (escaped on the wire).
    assert kube_server.requests_to("GET", NS_CM)[-1].query["labelSelector"] == \
        "app in (x),tier!=db"


def test_wrong_ca_fails_closed(kube_server, probe, tmp_path, certs):
    config = kube_server.kubeconfig(
        tmp_path / "config", user={"token": "good-token"},
        cluster={"certificate-authority-data": certs.b64("wrong-ca.crt")})
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.returncode == 1
    assert r.error().startswith(
        f"GET {NS_CM}/a: cannot verify the server certificate of 127.0.0.1:{kube_server.port}: ")
    assert r.code() == -4
    assert kube_server.requests == []  # no request (and no token) ever reached the server


def test_insecure_skip_tls_verify_accepts_any_certificate(kube_server, probe, tmp_path):
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    config = kube_server.kubeconfig(
        tmp_path / "config", user={"token": "good-token"},
        cluster={"certificate-authority-data": None, "insecure-skip-tls-verify": True})
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.returncode == 0, r.stderr


def test_client_certificate_data_and_files(kube_server, probe, tmp_path, certs):
    kube_server.client_cns.add("alice")
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    data = kube_server.kubeconfig(tmp_path / "data", user={
        "client-certificate-data": certs.b64("alice.crt"),
        "client-key-data": certs.b64("alice.key")})
    assert probe("get", "configmaps", "a", kubeconfig=data).returncode == 0
    # File forms, relative to the kubeconfig's directory.
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "me.crt").write_bytes(certs.read("alice.crt"))
    (sub / "me.key").write_bytes(certs.read("alice.key"))
    files = kube_server.kubeconfig(sub / "config", user={"client-certificate": "me.crt",
                                                          "client-key": "me.key"})
    r = probe("get", "configmaps", "a", kubeconfig=files)
    assert r.returncode == 0, r.stderr
    assert [q.user for q in kube_server.requests] == ["cert:alice", "cert:alice"]


def test_unknown_client_certificate_and_bad_token_are_401(kube_server, probe, tmp_path, certs):
    bob = kube_server.kubeconfig(tmp_path / "bob", user={
        "client-certificate-data": certs.b64("bob.crt"), "client-key-data": certs.b64("bob.key")})
    r = probe("get", "configmaps", "a", kubeconfig=bob)
    assert (r.returncode, r.error(), r.code()) == (1, "Unauthorized", 401)
    bad = token_config(kube_server, tmp_path, token="wrong")
    r = probe("get", "configmaps", "a", kubeconfig=bad)
    assert (r.error(), r.code()) == ("Unauthorized", 401)
    # A static token cannot get better by asking again.
    assert len(kube_server.requests_to("GET", NS_CM + "/a")) == 2


def test_basic_auth(kube_server, probe, tmp_path):
    kube_server.basic["ann"] = "s3cret"
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    config = kube_server.kubeconfig(tmp_path / "c", user={"username": "ann", "password": "s3cret"})
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert kube_server.requests[0].user == "basic:ann"


def test_tls_server_name_is_sent_and_verified(certs, probe, tmp_path):
    from kube_test_server import KubeTestServer
    server = KubeTestServer(certs, server_cert="sni")  # valid only for api.internal
    try:
        server.tokens.add("good-token")
        server.store.put("/api/v1", "configmaps", "default", cm("a"))
        plain = server.kubeconfig(tmp_path / "plain", user={"token": "good-token"})
        r = probe("get", "configmaps", "a", kubeconfig=plain)
        assert r.code() == -4  # 127.0.0.1 is not in the certificate
        named = server.kubeconfig(tmp_path / "named", user={"token": "good-token"},
                                  cluster={"tls-server-name": "api.internal"})
        r = probe("get", "configmaps", "a", kubeconfig=named)
        assert r.returncode == 0, r.stderr
        assert server.sni_names[-1] == "api.internal"
        # The connection still went to the server's address, with its Host.
        assert server.requests[-1].headers["Host"] == f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_bad_server_url_and_unusable_client_certificate(kube_server, probe, tmp_path):
    r = probe("--server", "ftp://127.0.0.1:1", "get", "configmaps", "a")
    assert (r.error(), r.code()) == (
        "invalid server URL 'ftp://127.0.0.1:1': the scheme must be https or http", -7)
    import base64
    junk = base64.b64encode(b"not a certificate").decode()
    config = kube_server.kubeconfig(tmp_path / "config", user={
        "client-certificate-data": junk, "client-key-data": junk})
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.code() == -4
    assert r.error().startswith(f"GET {NS_CM}/a: TLS setup failed: ")
    assert kube_server.requests == []


# --- errors are the server's own words ------------------------------------------


def test_422_status_message_reaches_stderr_verbatim(kube_server, probe, tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps(cm("Bad_Name")))
    r = probe("create", "configmaps", tmp_path / "bad.json", kubeconfig=token_config(
        kube_server, tmp_path))
    assert r.returncode == 1
    assert r.error() == (
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase '
        "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
        "must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
        "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
    assert r.code() == 422


def test_not_found_conflict_and_non_status_errors(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    r = probe("get", "configmaps", "nope", kubeconfig=config)
    assert (r.returncode, r.error(), r.code()) == (3, 'configmaps "nope" not found', 404)
    (tmp_path / "a.json").write_text(json.dumps(cm("a")))
    assert probe("create", "configmaps", tmp_path / "a.json", kubeconfig=config).returncode == 0
    r = probe("create", "configmaps", tmp_path / "a.json", kubeconfig=config)
    assert (r.error(), r.code()) == ('configmaps "a" already exists', 409)
    r = probe("request", "GET", "/not/an/api", kubeconfig=config)
    assert r.error() == "GET /not/an/api: the server answered 404 Not Found: 404 page not found"


def test_invalid_names_fail_before_any_request(kube_server, probe, tmp_path):
    r = probe("get", "configmaps", "a/b", kubeconfig=token_config(kube_server, tmp_path))
    assert (r.error(), r.code()) == ("name 'a/b' may not contain '/' or '%'", -7)
    assert kube_server.requests == []


# --- writes ------------------------------------------------------------------


def test_create_dry_run_and_field_validation(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    obj = cm("a")
    obj["bogus"] = 1
    (tmp_path / "a.json").write_text(json.dumps(obj))
    r = probe("create", "configmaps", tmp_path / "a.json", "--dry-run",
              "--field-validation", "Warn", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert 'Warning: unknown field "bogus"' in r.stderr
    assert kube_server.requests[-1].query == {"dryRun": "All", "fieldValidation": "Warn"}
    assert kube_server.store.get("/api/v1", "configmaps", "default", "a") is None
    r = probe("create", "configmaps", tmp_path / "a.json", "--field-validation", "Strict",
              kubeconfig=config)
    assert (r.error(), r.code()) == ('strict decoding error: unknown field "bogus"', 400)


def test_patches_and_the_status_subresource(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    kube_server.store.put("/apis/batch/v1", "jobs", "default",
                          {"metadata": {"name": "j"}, "spec": {"parallelism": 1}})
    r = probe("patch", "jobs", "j", '{"spec":{"parallelism":3}}', kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert r.json()["spec"]["parallelism"] == 3
    assert kube_server.last_patch[0] == "application/merge-patch+json"
    r = probe("patch", "jobs", "j", '[{"op":"replace","path":"/spec/parallelism","value":2}]',
              "--type", "json", kubeconfig=config)
    assert r.json()["spec"]["parallelism"] == 2
    assert kube_server.last_patch[0] == "application/json-patch+json"
    r = probe("patch", "jobs", "j", '{"status":{"active":1}}', "--status", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert kube_server.requests[-1].path == "/apis/batch/v1/namespaces/default/jobs/j/status"
    r = probe("get", "jobs", "j", "--status", kubeconfig=config)
    assert r.json()["status"] == {"active": 1}
    r = probe("patch", "jobs", "j", '[1]', kubeconfig=config)
    assert (r.error(), r.code()) == ("a merge patch must be a JSON object", -7)


def test_replace_and_delete_options(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    stored = kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    stale = dict(stored, data={"k": "new"})
    stale["metadata"] = dict(stored["metadata"], resourceVersion="1")
    (tmp_path / "stale.json").write_text(json.dumps(stale))
    r = probe("replace", "configmaps", "a", tmp_path / "stale.json", kubeconfig=config)
    assert r.code() == 409
    assert r.error().startswith('Operation cannot be fulfilled on configmaps "a"')
    r = probe("delete", "configmaps", "a", "--propagation", "Background", "--grace", "0",
              kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert kube_server.last_delete_options == {
        "kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background",
        "gracePeriodSeconds": 0}
    assert kube_server.store.get("/api/v1", "configmaps", "default", "a") is None


def test_list_walks_pages_and_restarts_on_expired_continue(kube_server, probe, tmp_path):
    for i in range(7):
        kube_server.store.put("/api/v1", "configmaps", "default", cm(f"c{i}"))
    config = token_config(kube_server, tmp_path)
    r = probe("list", "configmaps", "--limit", "3", "--all-pages", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert [i["metadata"]["name"] for i in r.json()["items"]] == [f"c{i}" for i in range(7)]
    assert "continue" not in r.json()["metadata"]
    assert len(kube_server.requests_to("GET", NS_CM)) == 3
    kube_server.expire_continue_tokens = 1
    r = probe("list", "configmaps", "--limit", "3", "--all-pages", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert [i["metadata"]["name"] for i in r.json()["items"]] == [f"c{i}" for i in range(7)]


def test_resource_discovery(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    assert probe("served", "jobsets", kubeconfig=config).stdout.strip() == "true"
    kube_server.serve_jobsets = False
    assert probe("served", "jobsets", kubeconfig=config).stdout.strip() == "false"
    assert probe("served", "jobs", kubeconfig=config).stdout.strip() == "true"


# --- retries ------------------------------------------------------------------


def test_429_retry_after_is_honoured(kube_server, probe, tmp_path):
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    kube_server.add_fault("GET", NS_CM + "/a", 429, times=2, headers={"Retry-After": "1"},
                          reason="TooManyRequests", message="Too many requests, please try again")
    r = probe("get", "configmaps", "a", kubeconfig=token_config(kube_server, tmp_path))
    assert r.returncode == 0, r.stderr
    attempts = kube_server.requests_to("GET", NS_CM + "/a")
    assert len(attempts) == 3
    # Each retry came no sooner than the server asked (a lower bound only).
    assert attempts[1].time - attempts[0].time >= 0.9
    assert attempts[2].time - attempts[1].time >= 0.9


def test_retry_after_longer_than_the_timeout_is_not_waited_for(kube_server, probe, tmp_path):
    kube_server.add_fault("GET", NS_CM + "/a", 429, times=5, headers={"Retry-After": "30"},
                          reason="TooManyRequests", message="Too many requests")
    r = probe("--request-timeout", "3s", "get", "configmaps", "a",
              kubeconfig=token_config(kube_server, tmp_path))
    assert (r.error(), r.code()) == ("Too many requests", 429)
    assert len(kube_server.requests_to("GET", NS_CM + "/a")) == 1


def test_5xx_is_retried_on_get_but_not_on_post(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    kube_server.add_fault("GET", NS_CM + "/a", 503, times=2, message="etcd is busy")
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert len(kube_server.requests_to("GET", NS_CM + "/a")) == 3
    kube_server.add_fault("POST", NS_CM, 500, times=1, message="etcd is busy")
    (tmp_path / "b.json").write_text(json.dumps(cm("b")))
    r = probe("create", "configmaps", tmp_path / "b.json", kubeconfig=config)
    assert (r.error(), r.code()) == ("etcd is busy", 500)
    assert len(kube_server.requests_to("POST", NS_CM)) == 1
    # A GET that keeps failing gives up after the policy's 5 attempts.
    kube_server.add_fault("GET", NS_CM + "/a", 500, times=10, message="down")
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert (r.error(), r.code()) == ("down (after 5 attempts)", 500)


def test_dropped_connections_are_retried_only_when_safe(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    kube_server.add_fault("GET", NS_CM + "/a", action="drop", times=1)
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.returncode == 0, r.stderr
    assert len(kube_server.requests_to("GET", NS_CM + "/a")) == 2
    # The server received this POST: repeating it could create twice.
    kube_server.add_fault("POST", NS_CM, action="drop", times=1)
    (tmp_path / "b.json").write_text(json.dumps(cm("b")))
    r = probe("create", "configmaps", tmp_path / "b.json", kubeconfig=config)
    assert r.code() == -1
    assert f"the connection to 127.0.0.1:{kube_server.port} broke" in r.error()
    assert len(kube_server.requests_to("POST", NS_CM)) == 1


def test_connection_refused_says_where(probe, tmp_path, certs):
    port = closed_port()
    config = unreachable_kubeconfig(tmp_path / "config", certs, port)
    r = probe("get", "configmaps", "a", kubeconfig=config)
    assert r.error() == (f"GET {NS_CM}/a: cannot connect to 127.0.0.1:{port}: connection "
                         "refused (after 5 attempts)")
    assert r.code() == -1


def test_request_timeout_bounds_a_silent_server(probe, tmp_path, certs):
    # Accepts connections (the kernel does) but never answers the handshake.
    sock = silent_listener()
    config = unreachable_kubeconfig(tmp_path / "config", certs, sock.getsockname()[1])
    try:
        r = probe("--request-timeout", "1500ms", "get", "configmaps", "a", kubeconfig=config)
        assert r.code() == -2
        assert r.error().startswith(f"GET {NS_CM}/a: timed out after ")
    finally:
        sock.close()


# --- logs -------------------------------------------------------------------------


def test_pod_logs_one_shot_and_options(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    kube_server.logs[("default", "p")] = "".join(f"line {i}\n" for i in range(10))
    r = probe("logs", "p", kubeconfig=config)
    assert r.stdout == "".join(f"line {i}\n" for i in range(10))
    r = probe("logs", "p", "--tail", "2", "-c", "main", "--timestamps", "--previous",
              "--since", "60", kubeconfig=config)
    assert r.stdout == "line 8\nline 9\n"
    assert kube_server.log_queries[-1] == {"container": "main", "previous": "true",
                                           "timestamps": "true", "tailLines": "2",
                                           "sinceSeconds": "60", "limitBytes": "16777216"}
    r = probe("logs", "p", "--limit-bytes", "8", kubeconfig=config)
    assert r.stdout == "line 0\nl"
    r = probe("logs", "nope", kubeconfig=config)
    assert (r.error(), r.code()) == ('pods "nope" not found', 404)


def test_pod_logs_follow_streams_until_the_end(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    kube_server.logs[("default", "p")] = "first\n"
    kube_server.follow_lines[("default", "p")] = [f"more {i}\n" for i in range(5)]
    running = probe.start("logs", "p", "-f", kubeconfig=config)
    seen = running.wait_for(lambda line: line == "more 4")
    assert seen == ["first"] + [f"more {i}" for i in range(5)]
    assert running.wait() == 0  # the stream ended with the log
    assert kube_server.log_queries[-1]["follow"] == "true"


def test_log_stream_cancelled_from_another_thread(kube_server, probe, tmp_path):
    config = token_config(kube_server, tmp_path)
    kube_server.logs[("default", "p")] = "started\n"
    kube_server.follow_idle[("default", "p")] = 60  # the container prints nothing more
    r = probe("logs", "p", "-f", "--cancel-after", "500", kubeconfig=config)
    assert r.stdout == "started\n"
    assert (r.error(), r.code()) == (
        "GET /api/v1/namespaces/default/pods/p/log?follow=true: cancelled", -3)


def test_log_stream_fails_within_the_timeout_when_the_server_is_silent(probe, tmp_path, certs):
    sock = silent_listener()  # connections are accepted by the kernel, never answered
    config = unreachable_kubeconfig(tmp_path / "config", certs, sock.getsockname()[1])
    try:
        r = probe("--request-timeout", "1s", "logs", "p", "-f", kubeconfig=config)
        assert r.code() == -2
        assert r.error().startswith("GET /api/v1/namespaces/default/pods/p/log?follow=true: "
                                    "timed out after ")
    finally:
        sock.close()


def test_proxy_url_tunnels_through_the_proxy(kube_server, probe, tmp_path):
    from kube_test_server import ConnectProxy
    proxy = ConnectProxy()
    try:
        kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
        config = token_config(kube_server, tmp_path, cluster={"proxy-url": proxy.url})
        r = probe("get", "configmaps", "a", kubeconfig=config)
        assert r.returncode == 0, r.stderr
        assert proxy.tunnels == [f"127.0.0.1:{kube_server.port}"]
    finally:
        proxy.stop()


# --- threads --------------------------------------------------------------------------


def test_calls_from_many_threads_at_once(kube_server, probe, tmp_path):
    kube_server.store.put("/api/v1", "configmaps", "default", cm("a"))
    r = probe("parallel-get", "configmaps", "a", "--threads", "8", "--repeat", "5",
              kubeconfig=token_config(kube_server, tmp_path))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"requests": 40, "failures": 0}
    assert len(kube_server.requests_to("GET", NS_CM + "/a")) == 40
