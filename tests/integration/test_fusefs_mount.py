"""`kubectl konduktor mount` and `umount` as a user meets them: mount returns
once the tree is mounted (read-only, private unless -o allow_other) and the
daemon serves in the background; clear errors for a missing or non-empty
mount point, an existing mount, no /dev/fuse and no cluster; SIGTERM and
SIGINT unmount cleanly; a daemon killed outright leaves a mount that umount
clears; -A puts namespaces above the jobs; mount takes konduktor-fs's flags."""
import errno
import os
import pathlib
import re
import signal
import subprocess
import time

from fusetools import (FSTYPE, Mount, errno_of, fs_mount, is_mounted, lazy_unmount,  # noqa: F401
                       mount_entry, read, wait_for_file)
from conftest import binary
from jobtools import konduktor, plugin_env, write_task

OK_RUN = "echo '{\"ok\": true}' > \"$KONDUKTOR_OUTPUT_DIR/result.json\""


def daemons_serving(path):
    """Processes whose command line names the mount point."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(path).encode() in cmdline and b"konduktor-fs" in cmdline[0]:
            found.append(int(pid))
    return found


def wait_until(predicate, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_mount_and_umount(cluster, tmp_path):
    mnt = tmp_path / "jobs"
    mnt.mkdir()
    launched = konduktor(cluster, "launch", "-d", str(write_task(tmp_path, "ok", OK_RUN)))
    assert launched.returncode == 0, launched.stderr
    name = launched.stdout.strip()
    try:
        r = konduktor(cluster, "mount", str(mnt), "--log-file", str(tmp_path / "fs.log"))
        assert r.returncode == 0, r.stderr
        # Returned once mounted: the tree is there, read-only and private.
        fstype, options, source = mount_entry(mnt)
        assert fstype == FSTYPE and source == "konduktor"
        assert options.split(",")[0] == "ro"
        with open("/proc/self/mountinfo") as f:
            assert "allow_other" not in [line for line in f if f" {mnt} " in line][0]
        assert os.listdir(mnt) == [name]
        wait_for_file(mnt / name / "status", lambda t: t == "SUCCEEDED\n")
        assert read(mnt / name / "result.json") == '{"ok": true}\n'
        daemons = daemons_serving(mnt)
        assert len(daemons) == 1

        # Mounting again on it says so.
        again = konduktor(cluster, "mount", str(mnt))
        assert again.returncode == 2
        assert f"'{mnt}' is already a konduktor-fs mount" in again.stderr

        r = konduktor(cluster, "umount", str(mnt))
        assert r.returncode == 0, r.stderr
        assert not is_mounted(mnt)
        wait_until(lambda: not daemons_serving(mnt), what="the daemon to exit")
        assert os.listdir(mnt) == []
    finally:
        lazy_unmount(mnt)


def test_mount_errors(cluster, tmp_path):
    missing = tmp_path / "missing"
    r = konduktor(cluster, "mount", str(missing))
    assert r.returncode == 2
    assert r.stderr == f"error: mount point '{missing}' does not exist (create it with mkdir)\n"

    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("x")
    r = konduktor(cluster, "mount", str(full))
    assert (r.returncode, r.stderr) == (2, f"error: mount point '{full}' is not empty\n")

    empty = tmp_path / "empty"
    empty.mkdir()
    r = konduktor(cluster, "mount", str(empty), "-o", "allow_other,noexec")
    assert r.returncode == 2
    assert "unsupported mount option 'noexec'" in r.stderr
    r = konduktor(cluster, "mount")
    assert r.returncode == 2 and "name the directory to mount on" in r.stderr
    r = konduktor(cluster, "mount", str(empty), "--no-such-flag")
    assert r.returncode == 2 and "--no-such-flag" in r.stderr

    # No cluster there: a clear error, nothing mounted, quickly.
    dead = tmp_path / "dead-kubeconfig"
    cluster.write_kubeconfig(dead)
    dead.write_text(dead.read_text().replace(cluster.url, "http://127.0.0.1:9"))
    started = time.monotonic()
    r = konduktor(cluster, "mount", str(empty), "--kubeconfig", str(dead),
                  "--request-timeout", "2s")
    assert r.returncode == 1
    assert r.stderr.startswith("error: cannot reach the cluster at http://127.0.0.1:9: ")
    assert time.monotonic() - started < 20
    assert not is_mounted(empty)

    # No kubeconfig at all: what to do about it.
    r = konduktor(cluster, "mount", str(empty),
                  env=plugin_env(cluster, KUBECONFIG=str(tmp_path / "no-such-config")))
    assert r.returncode == 1
    assert r.stderr.startswith("error: no cluster is configured"), r.stderr
    assert "kubectl konduktor local up" in r.stderr

    # The cluster answers, but not the lists of jobs.
    cluster.set_faults([{"status": 500, "share": 1, "verb": "list", "resource": "jobs"}])
    r = konduktor(cluster, "mount", str(empty), "--request-timeout", "2s")
    cluster.clear_faults()
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: cannot list jobs from the cluster at {cluster.url}: ")
    assert not is_mounted(empty)

    r = konduktor(cluster, "mount", str(empty), "--log-file", str(tmp_path / "no" / "fs.log"))
    assert r.returncode == 2
    assert r.stderr.startswith(f"error: cannot open log file '{tmp_path / 'no' / 'fs.log'}': ")

    r = konduktor(cluster, "mount", str(empty),
                  env=plugin_env(cluster, KONDUKTOR_FS=str(tmp_path / "no-such-program")))
    assert r.returncode == 1
    assert r.stderr == (f"error: mount: cannot run {tmp_path / 'no-such-program'}: "
                        "No such file or directory\n")

    # No FUSE device (a mount namespace without /dev/fuse).
    r = subprocess.run(["unshare", "-m", "sh", "-c", 'mount -t tmpfs none /dev && exec "$@"',
                        "sh", konduktor_fs_path(), str(empty)],
                       capture_output=True, text=True, timeout=60, env=plugin_env(cluster))
    assert r.returncode == 1
    assert r.stderr.startswith("error: cannot open /dev/fuse: No such file or directory"), r.stderr


def test_signals_unmount_cleanly(cluster, fs_mount, tmp_path):
    for sig in (signal.SIGTERM, signal.SIGINT):
        m = fs_mount(cluster, name=f"mnt-{sig.name}")
        assert is_mounted(m.path)
        m.signal(sig)
        assert m.wait() == 0
        assert not is_mounted(m.path) and mount_entry(m.path) is None


def test_umount_clears_the_mount_of_a_dead_daemon(cluster, fs_mount, tmp_path):
    m = fs_mount(cluster)
    m.signal(signal.SIGKILL)
    m.wait()
    # The mount is still there, but nothing answers.
    assert is_mounted(m.path)
    assert errno_of(lambda: os.listdir(m.path)) == errno.ENOTCONN
    r = konduktor(cluster, "mount", str(m.path))
    assert r.returncode == 2 and "is already a konduktor-fs mount" in r.stderr
    r = konduktor(cluster, "umount", str(m.path))
    assert r.returncode == 0, r.stderr
    assert mount_entry(m.path) is None
    assert os.listdir(m.path) == []


def test_umount_without_fusermount3(cluster, fs_mount):
    # As root, a lazy umount2() does what fusermount3 would.
    m = fs_mount(cluster)
    r = konduktor(cluster, "umount", str(m.path), env=plugin_env(cluster, PATH="/nonexistent"))
    assert r.returncode == 0, r.stderr
    assert mount_entry(m.path) is None
    assert m.wait() == 0


def test_logs_without_a_temporary_directory(cluster, fs_mount, tmp_path):
    # Logs are kept in $TMPDIR: where it cannot be written, reading one is
    # an I/O error, and everything else is as usual.
    launched = konduktor(cluster, "launch", "-d", str(write_task(tmp_path, "ok", "echo hi")))
    name = launched.stdout.strip()
    m = fs_mount(cluster, env=dict(os.environ, TMPDIR=str(tmp_path / "missing")))
    wait_for_file(m.path / name / "status", lambda t: t == "SUCCEEDED\n")
    assert errno_of(lambda: open(m.path / name / "logs").read()) == errno.EIO


def test_umount_leaves_other_mounts_alone(cluster, tmp_path):
    r = konduktor(cluster, "umount", "/proc")
    assert r.returncode == 1
    assert r.stderr == "error: umount: '/proc' is a proc mount, not konduktor-fs: leaving it alone\n"
    r = konduktor(cluster, "umount", str(tmp_path))
    assert r.returncode == 1 and "nothing is mounted on" in r.stderr


def test_all_namespaces_and_allow_other(cluster, fs_mount, tmp_path):
    cluster.kubectl("create", "namespace", "team-b")
    task = write_task(tmp_path, "ok", OK_RUN)
    a = konduktor(cluster, "launch", "-d", str(task)).stdout.strip()
    b = konduktor(cluster, "launch", "-d", "-n", "team-b", str(task)).stdout.strip()
    m = fs_mount(cluster, "-A", "-o", "allow_other")
    assert sorted(os.listdir(m.path)) == ["default", "team-b"]
    assert os.listdir(m.path / "team-b") == [b]
    assert os.listdir(m.path / "default") == [a]
    wait_for_file(m.path / "team-b" / b / "result.json", lambda t: t == '{"ok": true}\n')
    with open("/proc/self/mountinfo") as f:
        assert "allow_other" in [line for line in f if f" {m.path} " in line][0]

    # Without -A, -n picks the namespace.
    n = fs_mount(cluster, "-n", "team-b", name="team-b")
    assert os.listdir(n.path) == [b]


def konduktor_fs_path():
    return binary("konduktor-fs")


def flag_names(help_text):
    return sorted(set(re.findall(r"--([a-z][a-z-]*)", help_text.split("Flags:")[1])))


def test_mount_takes_the_flags_of_konduktor_fs(cluster):
    ours = konduktor(cluster, "mount", "--help")
    theirs = subprocess.run([konduktor_fs_path(), "--help"], capture_output=True, text=True)
    assert ours.returncode == 0 and theirs.returncode == 0
    assert flag_names(ours.stdout) == flag_names(theirs.stdout)
    assert "kubectl konduktor umount" in theirs.stdout


def test_interrupting_a_mount_stops_it(cluster, tmp_path):
    # The cluster hangs: the daemon in the background waits for its first
    # list, its parent for the daemon. Ctrl-C stops both, nothing mounted.
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    cluster.pause()
    try:
        proc = subprocess.Popen([konduktor_fs_path(), "--kubeconfig", str(cluster.kubeconfig),
                                 str(mnt)], stderr=subprocess.PIPE, text=True)
        wait_until(lambda: len(daemons_serving(mnt)) == 2, what="the daemon to start")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 128 + signal.SIGINT
        assert proc.stderr.read() == "error: interrupted before the tree was mounted\n"
        wait_until(lambda: not daemons_serving(mnt), what="the daemon to stop")
        assert mount_entry(mnt) is None
    finally:
        cluster.unpause()
