"""Fixtures for the kube/ client tests: test certificates, the HTTPS test
server (kube_test_server.py) and `probe`, which runs tests/tools/kubeprobe
with a hermetic environment (no KUBECONFIG, HOME or in-cluster variables
leaking in from the machine running the tests).

Test modules import what they use:
    from kube_fixtures import certs, kube_server, probe  # noqa: F401

For a server that refuses or never answers: closed_port(), silent_listener()
and unreachable_kubeconfig().
"""
import json
import os
import socket
import subprocess
import threading
import queue

import pytest

from conftest import binary
from kube_test_server import Certs, KubeTestServer

LEAKY_VARIABLES = ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
                   "POD_NAMESPACE", "KONDUKTOR_SERVICEACCOUNT_DIR", "HTTPS_PROXY", "https_proxy",
                   "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
                   "KONDUKTOR_VERBOSITY")


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return Certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def kube_server(certs):
    server = KubeTestServer(certs)
    server.tokens.add("good-token")
    yield server
    server.stop()


def closed_port():
    """A local port nothing listens on (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def silent_listener():
    """A listening socket: the kernel accepts connections, nobody ever
    answers. The caller closes it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def unreachable_kubeconfig(path, certs, port):
    """Writes a kubeconfig for https://127.0.0.1:<port> trusting the test CA,
    with no user; returns path."""
    path.write_text(json.dumps({
        "current-context": "c",
        "clusters": [{"name": "k", "cluster": {"server": f"https://127.0.0.1:{port}",
                                               "certificate-authority-data": certs.b64("ca.crt")}}],
        "contexts": [{"name": "c", "context": {"cluster": "k"}}]}))
    return path


class Result:
    def __init__(self, completed):
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    def json(self):
        return json.loads(self.stdout)

    def lines(self):
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def error(self):
        """The message of kubeprobe's "error: <message>" line."""
        for line in self.stderr.splitlines():
            if line.startswith("error: "):
                return line[len("error: "):]
        return None

    def code(self):
        for line in self.stderr.splitlines():
            if line.startswith("code: "):
                return int(line[len("code: "):])
        return None


class Probe:
    """Runs kubeprobe. `kubeconfig` is passed with --kubeconfig unless None."""

    def __init__(self, home):
        self.binary = binary("kubeprobe")
        self.home = str(home)
        self.env = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES}
        self.env["HOME"] = self.home

    def _command(self, args, kubeconfig, env):
        """The command line and environment of one kubeprobe run."""
        cmd = [self.binary]
        if kubeconfig:
            cmd += ["--kubeconfig", str(kubeconfig)]
        cmd += [str(a) for a in args]
        full_env = dict(self.env)
        full_env.update(env or {})
        return cmd, full_env

    def __call__(self, *args, kubeconfig=None, env=None, timeout=60, stdin=None):
        cmd, full_env = self._command(args, kubeconfig, env)
        completed = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                   env=full_env, input=stdin)
        return Result(completed)

    def start(self, *args, kubeconfig=None, env=None):
        """Starts kubeprobe in the background; returns a Running process."""
        cmd, full_env = self._command(args, kubeconfig, env)
        return Running(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=full_env))


class Running:
    """A background kubeprobe whose stdout lines can be awaited."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = queue.Queue()
        self.stderr = []
        self._out = threading.Thread(target=self._pump, args=(proc.stdout, self.lines.put),
                                     daemon=True)
        self._err = threading.Thread(target=self._pump, args=(proc.stderr, self.stderr.append),
                                     daemon=True)
        self._out.start()
        self._err.start()

    @staticmethod
    def _pump(stream, sink):
        for line in stream:
            sink(line.rstrip("\n"))

    def next_line(self, timeout=30):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no output from kubeprobe within %ss; stderr: %s" %
                                 (timeout, "\n".join(self.stderr[-20:])))

    def wait_for(self, predicate, timeout=30):
        """Reads lines until predicate(line) is true; returns the lines read."""
        seen = []
        while True:
            line = self.next_line(timeout)
            seen.append(line)
            if predicate(line):
                return seen

    def wait(self, timeout=30):
        """Waits for the process to end by itself; returns its exit status."""
        returncode = self.proc.wait(timeout=timeout)
        self._out.join(timeout=5)
        self._err.join(timeout=5)
        return returncode

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._out.join(timeout=5)
        self._err.join(timeout=5)
        return self.proc.returncode


@pytest.fixture
def probe(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return Probe(home)
