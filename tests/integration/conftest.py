"""Shared fixtures for the integration tests: where the built binaries are,
a local cluster per test (`cluster`, `cluster_factory`; see localcluster.py),
and a check that no sanitizer report was written while the tests ran.

ctest sets KONDUKTOR_BUILD_DIR and KONDUKTOR_SOURCE_DIR; run by hand with
  KONDUKTOR_BUILD_DIR=build /usr/bin/python3 -m pytest tests/integration
"""
import glob
import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get(
    "KONDUKTOR_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("KONDUKTOR_BUILD_DIR", SOURCE_DIR / "build"))
SANITIZED = os.environ.get("KONDUKTOR_SANITIZED") == "1"
# scripts/test.sh points ASAN_OPTIONS/UBSAN_OPTIONS log_path here so that
# reports from background daemons are not lost with their stderr.
SANITIZER_LOG_DIR = os.environ.get("KONDUKTOR_SANITIZER_LOG_DIR")


def binary(name):
    """Absolute path of a built program, searched in the build tree."""
    for candidate in (BUILD_DIR / name, *BUILD_DIR.glob(f"*/{name}")):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise FileNotFoundError(f"{name} is not built in {BUILD_DIR}")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures see whether the test failed (to print a cluster's log).
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def _test_failed(request):
    report = getattr(request.node, "rep_call", None)
    return report is None or report.failed


@pytest.fixture
def cluster_factory(request, tmp_path):
    """Makes started LocalClusters with options (tls=, token=, client_cert=,
    state_dir=, schema=, args=); all are stopped after the test, and their
    logs printed if it failed."""
    from localcluster import LocalCluster
    made = []

    def make(**options):
        c = LocalCluster(binary("konduktor-localcluster"), tmp_path / f"cluster-{len(made)}",
                         **options)
        made.append(c)
        return c.start()

    yield make
    for c in made:
        if _test_failed(request):
            print(f"\n==== konduktor-localcluster log ({c.workdir}) ====\n{c.log()[-20000:]}")
        c.kill() if c.proc and _test_failed(request) else c.stop()


@pytest.fixture
def cluster(cluster_factory):
    """A fresh local cluster: plain HTTP on 127.0.0.1, no auth, in memory,
    upstream schema validation where the schema is present."""
    return cluster_factory()


@pytest.fixture(scope="session")
def build_dir():
    return BUILD_DIR


@pytest.fixture(scope="session")
def plugin_bin():
    return binary("kubectl-konduktor")


def _sanitizer_reports():
    if not SANITIZER_LOG_DIR:
        return set()
    return set(glob.glob(os.path.join(SANITIZER_LOG_DIR, "*")))


def pytest_sessionstart(session):
    session.config._konduktor_reports_before = _sanitizer_reports()


def pytest_sessionfinish(session, exitstatus):
    new = sorted(_sanitizer_reports() - session.config._konduktor_reports_before)
    if new:
        for path in new:
            with open(path, errors="replace") as f:
                print(f"\n==== sanitizer report {path} ====\n{f.read()[:20000]}")
        session.exitstatus = 1
