"""The release archive and krew manifest that `cmake --build build --target
dist` makes, checked against every rule krew applies before it installs a
plugin — so that `kubectl krew install --manifest=… --archive=…` (and
krew-index's validate-krew-manifest) accept them before a release.

The checks mirror kubernetes-sigs/krew's source, cited at each rule:
  pkg/constants/constants.go                  apiVersion, kind, ".yaml"
  internal/index/validation/validate.go       ValidatePlugin, validatePlatform,
                                              validateFiles, validateSelector
  internal/installation/semver/version.go     "v" + k8s ParseSemantic
  cmd/validate-krew-manifest/main.go          supported os/arch pairs, no
                                              overlapping selectors, install
                                              each platform, LICENSE present
  internal/installation/install.go            sha256, extract, default files,
                                              bin inside the install dir
  internal/download/downloader.go             extractTARGZ, suspiciousPath,
                                              MIME detection
  internal/installation/move.go               files[].from/to moves
  internal/pathutil/pathutil.go               IsSubPath
"""
import copy
import glob
import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import tarfile

import pytest
import yaml

from conftest import BUILD_DIR, SOURCE_DIR

# --- krew's rules ---------------------------------------------------------

CURRENT_API_VERSION = "krew.googlecontainertools.github.com/v1alpha2"  # pkg/constants
PLUGIN_KIND = "Plugin"
MANIFEST_EXTENSION = ".yaml"
SHA256_PATTERN = re.compile(r"^[a-f0-9]{64}$")  # validation.sha256Pattern
SAFE_PLUGIN_NAME = re.compile(r"^[\w-]+$", re.ASCII)  # validation.safePluginRegexp
WINDOWS_FORBIDDEN = ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + \
    [f"LPT{i}" for i in range(1, 10)]
# validate-krew-manifest's allPlatforms(): the <os,arch> pairs krew runs on.
ALL_PLATFORMS = [("windows", "386"), ("windows", "amd64"), ("windows", "arm64"),
                 ("linux", "386"), ("linux", "amd64"), ("linux", "arm"), ("linux", "arm64"),
                 ("linux", "ppc64le"), ("darwin", "386"), ("darwin", "amd64"),
                 ("darwin", "arm64")]
# validate-krew-manifest's licenseFiles, compared lower-cased.
LICENSE_FILES = {"license", "license.txt", "license.md", "licenses", "licenses.txt",
                 "licenses.md", "copying", "copying.txt"}


class KrewError(Exception):
    pass


def is_safe_plugin_name(name):
    """validation.IsSafePluginName."""
    return bool(SAFE_PLUGIN_NAME.match(name)) and \
        not any(f.lower() == name.lower() for f in WINDOWS_FORBIDDEN)


def parse_semver(version):
    """semver.Parse: a leading "v", then k8s.io/apimachinery's
    version.ParseSemantic (three numeric components without leading
    zeros, optional -pre-release and +build metadata)."""
    if not version.startswith("v"):
        raise KrewError(f'version string "{version}" not starting with \'v\'')
    m = re.match(r"^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$", version)
    if not m:
        raise KrewError(f'could not parse "{version}" as version')
    components = m.group(1).split(".")
    if len(components) != 3:
        raise KrewError(f'illegal version string "{version}"')
    for c in components:
        if len(c) > 1 and c.startswith("0"):
            raise KrewError(f'illegal zero-prefixed version component "{c}" in "{version}"')
    extra = r"^(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\s*$"
    if not re.match(extra, m.group(2)):
        raise KrewError(f'illegal version string "{version}"')
    return tuple(int(c) for c in components)


def validate_selector(sel):
    """validation.validateSelector."""
    if sel is None:
        raise KrewError("nil selector is not supported")
    labels = sel.get("matchLabels")
    exprs = sel.get("matchExpressions")
    if labels is None and not exprs:
        raise KrewError("empty selector is not supported")
    for key in list(labels or {}) + [e.get("key") for e in exprs or []]:
        if key not in ("os", "arch"):
            raise KrewError(f'key "{key}" not supported')
    if labels is not None and len(labels) == 0:
        raise KrewError("`matchLabels` specified but empty")
    if exprs is not None and len(exprs) == 0:
        raise KrewError("`matchExpressions` specified but empty")


def validate_files(fops):
    """validation.validateFiles."""
    if fops is None:
        return
    if len(fops) == 0:
        raise KrewError("`files` has to be unspecified or non-empty")
    for op in fops:
        if not op.get("from"):
            raise KrewError("`from` field has to be set")
        if not op.get("to"):
            raise KrewError("`to` field has to be set")


def validate_platform(p):
    """validation.validatePlatform."""
    if not p.get("uri"):
        raise KrewError("`uri` has to be set")
    if not p.get("sha256"):
        raise KrewError("`sha256` sum has to be set")
    if not SHA256_PATTERN.match(p["sha256"]):
        raise KrewError(f"`sha256` value {p['sha256']} is not valid, must match pattern "
                        f"{SHA256_PATTERN.pattern}")
    if not p.get("bin"):
        raise KrewError("`bin` has to be set")
    validate_files(p.get("files"))
    validate_selector(p.get("selector"))


def validate_plugin(name, plugin):
    """validation.ValidatePlugin."""
    if plugin.get("apiVersion") != CURRENT_API_VERSION:
        raise KrewError(f'plugin manifest has apiVersion="{plugin.get("apiVersion")}", '
                        "not supported in this version of krew")
    if plugin.get("kind") != PLUGIN_KIND:
        raise KrewError(f'plugin manifest has kind="{plugin.get("kind")}", but only '
                        f'"{PLUGIN_KIND}" is supported')
    if not is_safe_plugin_name(name):
        raise KrewError(f'the plugin name "{name}" is not allowed')
    if (plugin.get("metadata") or {}).get("name") != name:
        raise KrewError(f'plugin should be named "{name}"')
    spec = plugin.get("spec") or {}
    if not spec.get("shortDescription"):
        raise KrewError("should have a short description")
    if any(c in spec["shortDescription"] for c in "\r\n"):
        raise KrewError("should not have line breaks in short description")
    if not spec.get("platforms"):
        raise KrewError("should have a platform specified")
    if not spec.get("version"):
        raise KrewError("should have a version specified")
    parse_semver(spec["version"])
    for p in spec["platforms"]:
        validate_platform(p)


def selector_matches(sel, labels):
    """metav1.LabelSelectorAsSelector(sel).Matches(labels)."""
    for key, value in (sel.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for e in sel.get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), e.get("values") or []
        if op in ("In", "NotIn") and not values:
            raise KrewError(f"for '{op}' operator, values set can't be empty")
        if op in ("Exists", "DoesNotExist") and values:
            raise KrewError(f"values set must be empty for {op}")
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise KrewError(f'"{op}" is not a valid label selector operator')
    return True


def validate_manifest_file(path):
    """validate-krew-manifest's validateManifestFile, up to installing."""
    base = os.path.basename(path)
    name, ext = os.path.splitext(base)
    if ext != MANIFEST_EXTENSION:
        raise KrewError(f'expected manifest extension "{MANIFEST_EXTENSION}" but found "{ext}"')
    with open(path) as f:
        plugin = yaml.safe_load(f)
    validate_plugin(name, plugin)
    platforms = plugin["spec"]["platforms"]
    for i, p in enumerate(platforms):
        if not any(selector_matches(p["selector"], {"os": o, "arch": a})
                   for o, a in ALL_PLATFORMS):
            raise KrewError(f"spec.platform[{i}]'s selector doesn't match any supported platforms")
    for o, a in ALL_PLATFORMS:  # isOverlappingPlatformSelectors
        matching = [i for i, p in enumerate(platforms)
                    if selector_matches(p["selector"], {"os": o, "arch": a})]
        if len(matching) > 1:
            raise KrewError(f"multiple spec.platforms (at indexes {matching}) have overlapping "
                            f"selectors that select {o}/{a}")
    return plugin


def go_clean(path):
    """Go's filepath.Clean (posixpath.normpath keeps a leading "//")."""
    cleaned = os.path.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def is_sub_path(base, sub):
    """pathutil.IsSubPath: filepath.Rel must not start with "..". """
    return not os.path.relpath(sub, base).startswith("..")


def suspicious_path(name):
    """download.suspiciousPath."""
    if ".." in name:
        raise KrewError(f'refusing to unpack archive with suspicious entry "{name}"')
    if name.startswith("/") or name.startswith("\\"):
        raise KrewError(f'refusing to unpack archive with absolute entry "{name}"')


def extract_archive(data, target):
    """download.extractArchive for the gzip MIME type (http.DetectContentType
    sniffs \\x1f\\x8b\\x08), then extractTARGZ: only directories and regular
    files, nothing outside the target."""
    if data[:3] != b"\x1f\x8b\x08":
        raise KrewError("mime type for archive file is not a supported archive format")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar:
            if member.name == "pax_global_header":
                continue
            suspicious_path(member.name)
            path = os.path.join(target, member.name)
            if member.isdir():
                os.makedirs(path, mode=member.mode, exist_ok=True)
            elif member.isreg():
                os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, member.mode)
                with os.fdopen(fd, "wb") as f:
                    shutil.copyfileobj(tar.extractfile(member), f)
            else:
                raise KrewError(f'unable to handle file type {member.type!r} for '
                                f'"{member.name}" in tar')


def move_files(from_dir, to_dir, fo):
    """move.findMoveTargets + moveFiles for one files[] entry."""
    to = fo["to"]
    if to != go_clean(to):
        raise KrewError(f'the provided path is not clean, "{to}" should be "{go_clean(to)}"')
    from_dir, to_dir = os.path.abspath(from_dir), os.path.abspath(to_dir)
    direct = go_clean(os.path.join(from_dir, fo["from"]))
    if os.path.exists(direct):  # getDirectMove
        target = os.path.abspath(os.path.join(
            to_dir, os.path.basename(direct) if go_clean(to) == "." else to))
        moves = [(direct, target)]
    else:
        matches = glob.glob(os.path.join(from_dir, fo["from"]), include_hidden=True)
        if not matches:
            raise KrewError(f"no files in the plugin archive matched the glob pattern={fo['from']}")
        new_dir = os.path.abspath(os.path.join(to_dir, to))
        moves = [(m, os.path.join(new_dir, os.path.basename(m))) for m in matches]
    for src, dst in moves:
        if not (is_sub_path(from_dir, src) and is_sub_path(to_dir, dst)):
            raise KrewError(f"can't move, move target {dst} is out of bounds")
        os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
        os.rename(src, dst)


def install_platform(name, version, platform, archive_path, krew_root):
    """installation.install with --archive (a FileFetcher), then
    validate-krew-manifest's LICENSE check. Returns the bin's path."""
    data = open(archive_path, "rb").read()
    if hashlib.sha256(data).hexdigest() != platform["sha256"]:  # Sha256Verifier
        raise KrewError(f"checksum does not match, want: {platform['sha256']}")
    staging = os.path.join(krew_root, "staging")
    os.makedirs(staging)
    extract_archive(data, staging)
    files = platform.get("files")
    if files is None:  # applyDefaults
        files = [{"from": "*", "to": "."}]
    install_dir = os.path.join(krew_root, "store", name, version)
    tmp = os.path.join(krew_root, "move")
    os.makedirs(tmp)
    for fo in files:
        move_files(staging, tmp, fo)
    os.makedirs(os.path.dirname(install_dir), exist_ok=True)
    os.rename(tmp, install_dir)
    full = os.path.join(install_dir, platform["bin"])
    if not is_sub_path(os.path.abspath(install_dir), os.path.abspath(full)):
        raise KrewError(f'the fullPath "{full}" does not extend the sub-fullPath "{install_dir}"')
    if not os.path.exists(full):  # createOrUpdateLink
        raise KrewError(f"can't create symbolic link, source binary ({full}) cannot be found "
                        "in extracted archive")
    regular = [f for _, _, fs in os.walk(install_dir) for f in fs]
    if not any(f.lower() in LICENSE_FILES for f in regular):
        raise KrewError(f"could not find license file among [{', '.join(sorted(regular))}]")
    return full


# --- the validator itself can fail ------------------------------------------

GOOD = {
    "apiVersion": CURRENT_API_VERSION, "kind": "Plugin", "metadata": {"name": "konduktor"},
    "spec": {"version": "v1.2.3", "shortDescription": "one line", "platforms": [{
        "selector": {"matchLabels": {"os": "linux", "arch": "amd64"}},
        "uri": "https://example.com/a.tar.gz", "sha256": "a" * 64, "bin": "kubectl-konduktor"}]},
}


def mutated(change):
    plugin = copy.deepcopy(GOOD)
    change(plugin)
    return plugin


def platform0(plugin):
    return plugin["spec"]["platforms"][0]


@pytest.mark.parametrize("change,message", [
    (lambda p: p.update(apiVersion="krew.googlecontainertools.github.com/v1alpha1"), "apiVersion"),
    (lambda p: p.update(kind="Plugins"), "kind="),
    (lambda p: p["metadata"].update(name="other"), 'should be named "konduktor"'),
    (lambda p: p["spec"].update(shortDescription=""), "short description"),
    (lambda p: p["spec"].update(shortDescription="two\nlines"), "line breaks"),
    (lambda p: p["spec"].update(platforms=[]), "platform specified"),
    (lambda p: p["spec"].pop("version"), "version specified"),
    (lambda p: p["spec"].update(version="1.2.3"), "not starting with 'v'"),
    (lambda p: p["spec"].update(version="v1.2"), "illegal version"),
    (lambda p: p["spec"].update(version="v1.02.3"), "zero-prefixed"),
    (lambda p: p["spec"].update(version="v1.2.3-"), "illegal version"),
    (lambda p: platform0(p).pop("uri"), "`uri` has to be set"),
    (lambda p: platform0(p).pop("sha256"), "`sha256` sum has to be set"),
    (lambda p: platform0(p).update(sha256="A" * 64), "is not valid"),
    (lambda p: platform0(p).update(sha256="a" * 63), "is not valid"),
    (lambda p: platform0(p).pop("bin"), "`bin` has to be set"),
    (lambda p: platform0(p).update(files=[]), "unspecified or non-empty"),
    (lambda p: platform0(p).update(files=[{"to": "."}]), "`from` field"),
    (lambda p: platform0(p).update(files=[{"from": "x"}]), "`to` field"),
    (lambda p: platform0(p).pop("selector"), "nil selector"),
    (lambda p: platform0(p).update(selector={}), "empty selector"),
    (lambda p: platform0(p).update(selector={"matchLabels": {"distro": "debian"}}), "not supported"),
    (lambda p: platform0(p).update(selector={"matchLabels": {}, "matchExpressions": [
        {"key": "os", "operator": "Exists"}]}), "`matchLabels` specified but empty"),
])
def test_validator_rejects_what_krew_rejects(change, message):
    with pytest.raises(KrewError, match=re.escape(message)):
        validate_plugin("konduktor", mutated(change))


def test_validator_accepts_the_reference_and_checks_the_name():
    validate_plugin("konduktor", GOOD)
    validate_plugin("konduktor", mutated(lambda p: p["spec"].update(version="v1.2.3-rc.1+b5")))
    for bad in ("kon duktor", "kon/duktor", "con", "Lpt1"):
        with pytest.raises(KrewError, match="is not allowed"):
            validate_plugin(bad, mutated(lambda p, b=bad: p["metadata"].update(name=b)))


def write_manifest(tmp_path, plugin, name="konduktor.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(plugin))
    return path


def test_manifest_file_rules(tmp_path):
    validate_manifest_file(write_manifest(tmp_path, GOOD))
    with pytest.raises(KrewError, match="manifest extension"):
        validate_manifest_file(write_manifest(tmp_path, GOOD, "konduktor.yml"))
    unknown_os = mutated(lambda p: platform0(p)["selector"]["matchLabels"].update(os="plan9"))
    with pytest.raises(KrewError, match="doesn't match any supported platforms"):
        validate_manifest_file(write_manifest(tmp_path, unknown_os))
    overlapping = mutated(lambda p: p["spec"]["platforms"].append(
        dict(platform0(p), selector={"matchExpressions": [
            {"key": "os", "operator": "In", "values": ["linux", "darwin"]}]})))
    with pytest.raises(KrewError, match=re.escape("(at indexes [0, 1])") + ".*linux/amd64"):
        validate_manifest_file(write_manifest(tmp_path, overlapping))
    disjoint = mutated(lambda p: p["spec"]["platforms"].append(
        dict(platform0(p), selector={"matchLabels": {"os": "linux", "arch": "arm64"}})))
    validate_manifest_file(write_manifest(tmp_path, disjoint))


def make_archive(path, members):
    """members: (name, kind, mode, data) with kind "file", "dir", "symlink"."""
    with tarfile.open(path, "w:gz") as tar:
        for name, kind, mode, data in members:
            info = tarfile.TarInfo(name)
            info.mode = mode
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


GOOD_MEMBERS = [("kubectl-konduktor", "file", 0o755, b"#!/bin/sh\n"),
                ("LICENSE", "file", 0o644, b"licence")]


def try_install(tmp_path, members, **platform_changes):
    archive = make_archive(tmp_path / "a.tar.gz", members)
    platform = dict(platform0(GOOD), sha256=hashlib.sha256(archive.read_bytes()).hexdigest())
    platform.update(platform_changes)
    root = tmp_path / "root"
    shutil.rmtree(root, ignore_errors=True)
    return install_platform("konduktor", "v1.2.3", platform, str(archive), str(root))


@pytest.mark.parametrize("members,changes,message", [
    (GOOD_MEMBERS + [("link", "symlink", 0o777, "kubectl-konduktor")], {}, "unable to handle"),
    (GOOD_MEMBERS + [("../evil", "file", 0o644, b"")], {}, "suspicious entry"),
    (GOOD_MEMBERS + [("/etc/evil", "file", 0o644, b"")], {}, "absolute entry"),
    (GOOD_MEMBERS[:1], {}, "could not find license file"),
    (GOOD_MEMBERS, {"sha256": "0" * 64}, "checksum does not match"),
    (GOOD_MEMBERS, {"bin": "../kubectl-konduktor"}, "does not extend"),
    (GOOD_MEMBERS, {"bin": "kubectl-other"}, "cannot be found"),
    (GOOD_MEMBERS, {"files": [{"from": "kubectl-*", "to": "./bin/../x"}]}, "not clean"),
    (GOOD_MEMBERS, {"files": [{"from": "nothing-*", "to": "."}]}, "matched the glob"),
    (GOOD_MEMBERS, {"files": [{"from": "kubectl-konduktor", "to": "../x"}]}, "out of bounds"),
    (GOOD_MEMBERS, {"files": [{"from": "kubectl-konduktor", "to": "."}]}, "license file"),
])
def test_installer_rejects_what_krew_rejects(tmp_path, members, changes, message):
    with pytest.raises(KrewError, match=re.escape(message)):
        try_install(tmp_path, members, **changes)


def test_installer_accepts_directories_and_moves(tmp_path):
    members = [("bin", "dir", 0o755, None), ("bin/kubectl-konduktor", "file", 0o755, b"x"),
               ("LICENSE", "file", 0o644, b"l")]
    full = try_install(tmp_path, members, bin="kubectl-konduktor",
                       files=[{"from": "bin/*", "to": "."}, {"from": "LICENSE", "to": "."}])
    assert os.path.basename(full) == "kubectl-konduktor"


# --- the real archive and manifest ------------------------------------------

ARCHIVE_RE = re.compile(r"^kubectl-konduktor_(\d+\.\d+\.\d+)_([a-z0-9]+)_([a-z0-9]+)\.tar\.gz$")
PROGRAMS = ("kubectl-konduktor", "kubectl_complete-konduktor", "konduktor-fs",
            "konduktor-localcluster")
REQUIRED_PROGRAMS = ("kubectl-konduktor", "kubectl_complete-konduktor")
DIST_DIR = BUILD_DIR / "dist"


def build_dist():
    r = subprocess.run(["cmake", "--build", str(BUILD_DIR), "--target", "dist"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture(scope="module")
def dist():
    build_dist()
    manifest = DIST_DIR / "konduktor.yaml"
    plugin = validate_manifest_file(str(manifest))
    return manifest, plugin


def host_platform():
    machine = os.uname().machine
    arch = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}.get(
        machine, machine)
    return os.uname().sysname.lower(), arch


def version_of_build():
    plugin = next(BUILD_DIR.glob("*/kubectl-konduktor"))
    out = subprocess.run([str(plugin), "version"], capture_output=True, text=True,
                         timeout=30).stdout
    return out.strip().split(" v")[1]


def built_programs():
    return [name for name in PROGRAMS if any(
        p.is_file() and os.access(p, os.X_OK) for p in BUILD_DIR.glob(f"*/{name}"))]


def test_manifest_spec(dist):
    _, plugin = dist
    spec = plugin["spec"]
    assert plugin["metadata"]["name"] == "konduktor"
    assert spec["version"] == "v" + version_of_build()
    assert spec["homepage"].startswith("https://")
    assert spec["description"].strip()
    assert "fuse3" in spec["caveats"]
    os_, arch = host_platform()
    assert [p["selector"] for p in spec["platforms"]].count(
        {"matchLabels": {"os": os_, "arch": arch}}) == 1


def test_every_platform_names_an_archive_with_its_sha256(dist):
    _, plugin = dist
    for p in plugin["spec"]["platforms"]:
        assert p["uri"].startswith("https://")
        name = p["uri"].rsplit("/", 1)[1]
        m = ARCHIVE_RE.match(name)
        assert m, name
        assert m.group(1) == plugin["spec"]["version"][1:]
        assert p["selector"] == {"matchLabels": {"os": m.group(2), "arch": m.group(3)}}
        archive = DIST_DIR / name
        assert hashlib.sha256(archive.read_bytes()).hexdigest() == p["sha256"]
        assert p["bin"] == "kubectl-konduktor"


def test_archive_contents(dist):
    os_, arch = host_platform()
    archive = DIST_DIR / f"kubectl-konduktor_{version_of_build()}_{os_}_{arch}.tar.gz"
    want = sorted(built_programs() + ["LICENSE"])
    assert set(REQUIRED_PROGRAMS) <= set(want)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == want  # sorted, nothing else
    mtimes = {m.mtime for m in members}
    assert len(mtimes) == 1
    for m in members:
        assert m.isreg(), m.name
        assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", ""), m.name
        assert "/" not in m.name and ".." not in m.name
        assert m.mode == (0o644 if m.name == "LICENSE" else 0o755), m.name
    assert tarfile.open(archive, "r:gz").extractfile("LICENSE").read() == \
        (SOURCE_DIR / "LICENSE").read_bytes()
    header = archive.read_bytes()[:10]
    assert header[3] & 0x08 == 0 and header[4:8] == b"\0\0\0\0"  # gzip -n


def test_krew_installs_every_platform_and_the_plugin_runs(dist, tmp_path):
    """As `kubectl krew install --manifest=konduktor.yaml --archive=…` would,
    with KREW_OS/KREW_ARCH set to each platform's."""
    manifest, plugin = dist
    host = host_platform()
    for i, p in enumerate(plugin["spec"]["platforms"]):
        archive = DIST_DIR / p["uri"].rsplit("/", 1)[1]
        root = tmp_path / f"krew-{i}"
        full = install_platform("konduktor", plugin["spec"]["version"], p, str(archive),
                                str(root))
        mode = os.stat(full).st_mode
        assert stat.S_ISREG(mode) and mode & 0o111 == 0o111, oct(mode)
        labels = p["selector"]["matchLabels"]
        if (labels["os"], labels["arch"]) == host:
            r = subprocess.run([full, "version"], capture_output=True, text=True, timeout=30)
            assert r.returncode == 0
            assert r.stdout.strip() == f"kubectl-konduktor {plugin['spec']['version']}"
            complete = os.path.join(os.path.dirname(full), "kubectl_complete-konduktor")
            r = subprocess.run([complete, "vers"], capture_output=True, text=True, timeout=30)
            assert r.stdout.splitlines() == ["version\tprint the version", ":4"]


def test_dist_is_reproducible(dist):
    os_, arch = host_platform()
    archive = DIST_DIR / f"kubectl-konduktor_{version_of_build()}_{os_}_{arch}.tar.gz"
    manifest = DIST_DIR / "konduktor.yaml"
    before = archive.read_bytes(), manifest.read_bytes()
    for program in BUILD_DIR.glob("*/kubectl-konduktor"):
        os.utime(program)  # a newer mtime must not change the archive
    build_dist()
    assert (archive.read_bytes(), manifest.read_bytes()) == before


def test_template_holds_no_generated_values():
    template = (SOURCE_DIR / "krew/konduktor.yaml.in").read_text()
    assert "@VERSION@" in template and "@PLATFORMS@" in template
    assert not re.search(r"[a-f0-9]{64}", template)
