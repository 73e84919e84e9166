"""Start and drive konduktor-localcluster from integration tests.

    from localcluster import LocalCluster
    with LocalCluster(binary("konduktor-localcluster"), tmp_path) as c:
        c.kubectl("get", "nodes")
        c.api("GET", "/api/v1/namespaces/default/pods")
        c.set_faults([{"status": 429, "share": 0.5, "verb": "list"}])
        before = c.counters()

Most tests use the `cluster` fixture of conftest.py (a fresh cluster per
test, plain HTTP, no auth) or `cluster_factory(**options)` for TLS, auth,
a state dir or extra flags. Everything a cluster writes (its kubeconfig,
its log, TLS material) lives in the test's own directory.
"""
import http.client
import json
import os
import pathlib
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

SOURCE_DIR = pathlib.Path(os.environ.get(
    "KONDUKTOR_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def api_schema_dir():
    """The upstream schema directory (../shared/k8s-api or
    $KONDUKTOR_K8S_API_DIR), or None where it is absent."""
    for candidate in (os.environ.get("KONDUKTOR_K8S_API_DIR"),
                      SOURCE_DIR.parent / "shared" / "k8s-api",
                      pathlib.Path("/work/shared/k8s-api")):
        if candidate and (pathlib.Path(candidate) / "kubernetes-1.34-swagger.json").is_file():
            return str(candidate)
    return None


class Tls:
    """A CA, a server certificate for 127.0.0.1/localhost and a client
    certificate (CN test-user, group testers), made once with openssl."""

    _lock = threading.Lock()
    _cached = None

    def __init__(self, directory):
        d = pathlib.Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.ca = d / "ca.crt"
        self.ca_key = d / "ca.key"
        self.server_cert = d / "server.crt"
        self.server_key = d / "server.key"
        self.client_cert = d / "client.crt"
        self.client_key = d / "client.key"
        self.other_ca = d / "other-ca.crt"
        self.other_client_cert = d / "other-client.crt"
        self.other_client_key = d / "other-client.key"
        if not self.other_client_key.exists():
            self._make(d)

    @classmethod
    def shared(cls):
        """One set per test session (openssl takes a moment)."""
        with cls._lock:
            if cls._cached is None:
                cls._cached = Tls(tempfile.mkdtemp(prefix="konduktor-tls-"))
            return cls._cached

    @staticmethod
    def _run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    def _key_and_csr(self, key, csr, subject):
        self._run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", str(key), "-out", str(csr), "-subj", subject)

    def _sign(self, csr, ca, ca_key, out, extensions, d):
        ext = d / (out.name + ".ext")
        ext.write_text(extensions)
        self._run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
                  "-CAcreateserial", "-out", str(out), "-days", "30", "-extfile", str(ext))

    def _make(self, d):
        for ca, key, cn in ((self.ca, self.ca_key, "konduktor-test-ca"),
                            (self.other_ca, d / "other-ca.key", "someone-else")):
            self._run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-nodes", "-keyout", str(key), "-out", str(ca), "-days", "30",
                      "-subj", "/CN=" + cn)
        self._key_and_csr(self.server_key, d / "server.csr", "/CN=127.0.0.1")
        self._sign(d / "server.csr", self.ca, self.ca_key, self.server_cert,
                   "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                   "extendedKeyUsage=serverAuth\n", d)
        self._key_and_csr(self.client_key, d / "client.csr", "/O=testers/CN=test-user")
        self._sign(d / "client.csr", self.ca, self.ca_key, self.client_cert,
                   "extendedKeyUsage=clientAuth\n", d)
        # Signed by a CA the server does not trust.
        self._key_and_csr(self.other_client_key, d / "other-client.csr", "/CN=intruder")
        self._sign(d / "other-client.csr", self.other_ca, d / "other-ca.key",
                   self.other_client_cert, "extendedKeyUsage=clientAuth\n", d)
        for key in d.glob("*.key"):
            key.chmod(0o600)


class ClusterError(RuntimeError):
    pass


class LocalCluster:
    """One konduktor-localcluster process.

    tls: serve HTTPS with a certificate signed by a test CA.
    token: require this bearer token (user "test-user") — a string, or True
        for a random one. Implies tls: client-go sends no token over http.
    client_cert: require client certificates signed by the test CA (TLS).
    state_dir: keep objects there across restart() (True: a fresh dir).
    schema: validate against the upstream schema (default: when present).
    args: further command-line flags (the runtime's capacity flags...).
    """

    def __init__(self, binary, workdir, *, tls=False, token=None, client_cert=False,
                 state_dir=None, schema=True, args=(), env=None):
        self.binary = str(binary)
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.tls = Tls.shared() if (tls or client_cert or token) else None
        self.client_cert = bool(client_cert)
        if token is True:
            token = "t-" + os.urandom(16).hex()
        self.token = token
        if state_dir is True:
            state_dir = self.workdir / "state"
        self.state_dir = pathlib.Path(state_dir) if state_dir else None
        self.schema_dir = api_schema_dir() if schema else None
        self.args = list(args)
        self.env = dict(os.environ if env is None else env)
        self.kubeconfig = self.workdir / "kubeconfig"
        self.ready_file = self.workdir / "ready.json"
        self.log_path = self.workdir / "localcluster.log"
        self.proc = None
        self.port = 0
        self.url = None
        self.ready = None
        self._log = None
        self._starts = 0

    # ---- lifecycle ----

    def command(self):
        cmd = [self.binary, "--port", str(self.port), "--ready-file", str(self.ready_file)]
        if self.tls:
            cmd += ["--tls-cert-file", str(self.tls.server_cert),
                    "--tls-private-key-file", str(self.tls.server_key)]
        if self.client_cert:
            cmd += ["--client-ca-file", str(self.tls.ca)]
        if self.token:
            tokens = self.workdir / "tokens.csv"
            tokens.write_text(f"{self.token},test-user,1001,\"testers\"\n")
            tokens.chmod(0o600)
            cmd += ["--token-auth-file", str(tokens)]
        if self.state_dir:
            cmd += ["--state-dir", str(self.state_dir)]
        if self.schema_dir:
            cmd += ["--api-schema-dir", self.schema_dir]
        return cmd + self.args

    def start(self, timeout=30):
        """Starts the server and waits until it serves (ready file written)."""
        if self.proc:
            raise ClusterError("already running")
        if self.ready_file.exists():
            self.ready_file.unlink()
        self._starts += 1
        self._log = open(self.log_path, "ab")
        self._log.write(f"---- start {self._starts}: {' '.join(self.command())}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                     stderr=self._log, env=self.env, close_fds=True)
        deadline = time.monotonic() + timeout
        while not self.ready_file.exists():
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                self._log.close()
                raise ClusterError(f"konduktor-localcluster exited with {code}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise ClusterError(f"konduktor-localcluster not ready in {timeout}s:\n{self.log()}")
            time.sleep(0.003)
        self.ready = json.loads(self.ready_file.read_text())
        self.port = self.ready["port"]  # a restart keeps the port
        self.url = self.ready["url"]
        self.write_kubeconfig(self.kubeconfig)
        return self

    def stop(self, timeout=30):
        """SIGTERM, then waits; returns the exit code (0 after a clean stop)."""
        if not self.proc:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = "timeout"
        self.proc = None
        self._log.close()
        if code != 0:
            raise ClusterError(f"konduktor-localcluster stopped with {code}:\n{self.log()}")
        return code

    def kill(self):
        """SIGKILL (a crash, for restart tests); does not raise."""
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self._log.close()

    def restart(self, timeout=30):
        """Stops and starts again on the same port (and state dir)."""
        self.stop()
        return self.start(timeout)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc:
            self.stop()

    # ---- kubeconfig ----

    def write_kubeconfig(self, path, *, user="default", namespace="default"):
        """A kubeconfig with context konduktor-local. user: "default" (the
        configured credentials), "anonymous", "bad-token", or "other-cert"
        (a client certificate from an untrusted CA)."""
        cluster = {"server": self.url}
        if self.tls:
            cluster["certificate-authority"] = str(self.tls.ca)
        # Without any credentials kubectl would prompt for a password
        # over https: a user name that the server ignores avoids that.
        creds = {"username": "anonymous", "password": "none"} if self.tls else {}
        if user == "default":
            if self.token:
                creds = {"token": self.token}
            if self.client_cert:
                creds = {"client-certificate": str(self.tls.client_cert),
                         "client-key": str(self.tls.client_key)}
        elif user == "bad-token":
            creds = {"token": "not-the-token"}
        elif user == "other-cert":
            creds = {"client-certificate": str(self.tls.other_client_cert),
                     "client-key": str(self.tls.other_client_key)}
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "konduktor-local", "cluster": cluster}],
            "users": [{"name": "konduktor-local", "user": creds}],
            "contexts": [{"name": "konduktor-local", "context": {
                "cluster": "konduktor-local", "user": "konduktor-local",
                "namespace": namespace}}],
            "current-context": "konduktor-local",
        }
        path = pathlib.Path(path)
        path.write_text(json.dumps(config, indent=2))  # JSON is YAML
        path.chmod(0o600)
        return path

    # ---- raw HTTP ----

    def _connection(self, timeout):
        if self.tls:
            ctx = ssl.create_default_context(cafile=str(self.tls.ca))
            if self.client_cert:
                ctx.load_cert_chain(str(self.tls.client_cert), str(self.tls.client_key))
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx,
                                               timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=30, auth=True):
        """One request; returns (status, headers dict, body bytes). A dict
        or list body is sent as JSON."""
        conn = self._connection(timeout)
        hdrs = {"User-Agent": "konduktor-tests"}
        if auth and self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def api(self, method, path, body=None, headers=None, expect=None, timeout=30):
        """A request whose answer is JSON; returns the decoded body. expect:
        the status required (default: any 2xx)."""
        status, hdrs, data = self.request(method, path, body, headers, timeout)
        ok = status == expect if expect is not None else 200 <= status < 300
        if not ok:
            raise ClusterError(f"{method} {path}: {status} {data[:2000]!r}")
        return json.loads(data) if data else None

    def watch(self, path, timeout=30):
        """Opens a watch; returns a WatchStream iterating decoded events."""
        return WatchStream(self, path, timeout)

    # ---- admin channel ----

    def admin(self, method, what, body=None):
        return self.api(method, "/debug/konduktor/" + what, body)

    def set_faults(self, errors):
        """errors: [{"status": 409|429|500, "share": 0..1, "verb": ..., "resource": ...,
        "retryAfterSeconds": n}]; replaces earlier rules."""
        return self.admin("PUT", "faults", {"errors": errors})

    def faults(self):
        """The rules with their matched/injected counts, and "paused"."""
        return self.admin("GET", "faults")

    def clear_faults(self):
        """Removes every error rule and unpauses."""
        return self.admin("DELETE", "faults")

    def pause(self):
        return self.admin("POST", "pause")

    def unpause(self):
        return self.admin("POST", "unpause")

    def drop_watches(self):
        return self.request("POST", "/debug/konduktor/drop-watches")[0]

    def expire_history(self):
        return self.request("POST", "/debug/konduktor/expire-history")[0]

    def counters(self):
        """{"requests": non-watch requests, "watches": watch streams opened,
        "byVerb", "byResource", "byUserAgent", "items": [...]}."""
        return self.admin("GET", "counters")

    def reset_counters(self):
        return self.request("DELETE", "/debug/konduktor/counters")[0]

    def stats(self):
        return self.admin("GET", "stats")

    def requests_by(self, user_agent_prefix, counters=None):
        """Non-watch requests whose user agent starts with the prefix."""
        counters = counters or self.counters()
        return sum(i["count"] for i in counters["items"]
                   if not i["watch"] and i["userAgent"].startswith(user_agent_prefix))

    # ---- clients ----

    def kubectl(self, *args, check=True, input=None, timeout=60, kubeconfig=None):
        """Runs kubectl against this cluster (its own HOME and cache)."""
        home = self.workdir / "home"
        home.mkdir(exist_ok=True)
        env = dict(os.environ, KUBECONFIG=str(kubeconfig or self.kubeconfig), HOME=str(home))
        r = subprocess.run(["kubectl", "--cache-dir", str(home / "kube-cache"), *args],
                           capture_output=True, text=True, input=input, timeout=timeout,
                           env=env)
        if check and r.returncode != 0:
            raise ClusterError(f"kubectl {' '.join(args)}: exit {r.returncode}\n"
                               f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def python_client(self, kubeconfig=None):
        """A kubernetes.client.ApiClient for this cluster."""
        from kubernetes import config as kconfig
        return kconfig.new_client_from_config(config_file=str(kubeconfig or self.kubeconfig))


class WatchStream:
    """Events of one watch request, decoded, with a deadline per event."""

    def __init__(self, cluster, path, timeout):
        self.conn = cluster._connection(timeout)
        headers = {"User-Agent": "konduktor-tests"}
        if cluster.token:
            headers["Authorization"] = "Bearer " + cluster.token
        sep = "&" if "?" in path else "?"
        self.conn.request("GET", path + sep + "watch=true", headers=headers)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status

    def next(self):
        """The next event as a dict, or None when the stream ended."""
        line = self.resp.readline()
        if not line:
            return None
        return json.loads(line)

    def __iter__(self):
        while True:
            event = self.next()
            if event is None:
                return
            yield event

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_for(predicate, timeout=30, interval=0.02, what="condition"):
    """Polls predicate() until it returns a true value (returned), or fails
    after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def quote(text):
    return urllib.parse.quote(text, safe="")
