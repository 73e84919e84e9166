"""Helpers for the konduktor-fs tests: mount the tree for real against a
local cluster, read it, wait for its files to change, and always unmount
(`fusermount3 -u -z`), also when a test fails.

    def test_x(cluster, fs_mount):
        m = fs_mount(cluster)                   # konduktor-fs -f, mounted
        wait_for_file(m.path / "job-1" / "status", lambda t: t.startswith("SUCCEEDED"))
"""
import errno
import os
import pathlib
import signal
import subprocess
import time

import pytest

from conftest import binary

FSTYPE = "fuse.konduktor-fs"


def mount_entry(path):
    """(fstype, mount options, source) of the mount on top at path, or None."""
    path = os.path.realpath(path) if os.path.exists(path) else str(path)
    found = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")
            if point == str(path):
                sep = fields.index("-")
                found = (fields[sep + 1], fields[5], fields[sep + 2])
    return found


def is_mounted(path):
    entry = mount_entry(path)
    return entry is not None and entry[0] == FSTYPE


def lazy_unmount(path):
    subprocess.run(["fusermount3", "-u", "-z", str(path)], capture_output=True, timeout=30)


class Mount:
    """One konduktor-fs. foreground: run with -f (the test holds the
    process: its exit code and signals); otherwise as a user would, the
    program returning once mounted and the daemon in the background."""

    def __init__(self, cluster, path, args=(), foreground=True, log=None, env=None):
        args = list(args) + os.environ.get("KONDUKTOR_FS_TEST_ARGS", "").split()
        self.cluster = cluster
        self.path = pathlib.Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.log = pathlib.Path(log or (self.path.parent / (self.path.name + ".log")))
        self.args = list(args)
        self.foreground = foreground
        self.env = env
        self.proc = None

    def command(self):
        return [binary("konduktor-fs"), "--kubeconfig", str(self.cluster.kubeconfig),
                "--log-file", str(self.log), *self.args, str(self.path)]

    def start(self, timeout=60):
        cmd = self.command()
        if self.foreground:
            self.proc = subprocess.Popen(cmd + ["-f"], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         env=self.env)
            deadline = time.monotonic() + timeout
            while not is_mounted(self.path):
                if self.proc.poll() is not None:
                    raise AssertionError(f"konduktor-fs exited with {self.proc.returncode}: "
                                         f"{self.proc.stderr.read().decode()}\n{self.read_log()}")
                assert time.monotonic() < deadline, "konduktor-fs did not mount in time"
                time.sleep(0.02)
        else:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                               env=self.env)
            assert r.returncode == 0, f"konduktor-fs: {r.returncode} {r.stderr}\n{self.read_log()}"
            assert is_mounted(self.path), "konduktor-fs returned before the tree was mounted"
        return self

    def read_log(self):
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def signal(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def wait(self, timeout=30):
        """The daemon's exit code (foreground mounts)."""
        return self.proc.wait(timeout)

    def unmount(self):
        """Always succeeds: a lazy unmount, then the daemon is waited for."""
        if is_mounted(self.path) or mount_entry(self.path):
            lazy_unmount(self.path)
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def fs_mount(request, tmp_path):
    """Mounts konduktor-fs: fs_mount(cluster, *args, foreground=True,
    name="mnt"); every mount is unmounted after the test, whatever
    happened, and its log printed if the test failed."""
    made = []

    def mount(cluster, *args, foreground=True, name="mnt", env=None):
        m = Mount(cluster, tmp_path / name, args, foreground=foreground, env=env)
        made.append(m)
        return m.start()

    yield mount
    failed = getattr(request.node, "rep_call", None) is None or request.node.rep_call.failed
    for m in made:
        m.unmount()
        if failed:
            print(f"\n==== konduktor-fs log ({m.log}) ====\n{m.read_log()[-20000:]}")


def read(path):
    """A file's text, or None if it does not exist."""
    try:
        return pathlib.Path(path).read_text()
    except FileNotFoundError:
        return None


def wait_for_file(path, predicate=lambda text: text is not None, timeout=60, interval=0.02):
    """Reads path until predicate(text) holds (text None while absent);
    returns the text."""
    deadline = time.monotonic() + timeout
    while True:
        text = read(path)
        if predicate(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {path}; it reads {text!r}")
        time.sleep(interval)


def errno_of(fn):
    """The errno an OSError-raising call fails with (None if it succeeds)."""
    try:
        fn()
    except OSError as e:
        return e.errno
    return None


EROFS = errno.EROFS
EIO = errno.EIO
