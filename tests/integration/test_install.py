"""`cmake --install` and the Debian package: files where Debian expects
them (programs in bin, gzipped man pages in share/man/man1, completion
for bash-completion's and zsh's vendor directories, the licence as the
package's copyright file), and a .deb whose Depends cover every library
its programs link."""
import gzip
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD_DIR, SANITIZED, SOURCE_DIR

PROGRAMS = ("kubectl-konduktor", "kubectl_complete-konduktor", "konduktor-fs",
            "konduktor-localcluster")
REQUIRED_PROGRAMS = ("kubectl-konduktor", "kubectl_complete-konduktor")
REQUIRED_DEPENDS = {"libcurl4", "libcjson1", "libyaml-0-2", "libfuse3-3", "fuse3",
                    "libmicrohttpd12"}


def built_programs():
    """The programs this build tree made (the others are not written yet)."""
    found = [name for name in PROGRAMS if any(
        p.is_file() and os.access(p, os.X_OK) for p in BUILD_DIR.glob(f"*/{name}"))]
    assert set(REQUIRED_PROGRAMS) <= set(found)
    return found


def expected_layout():
    """Path (relative to the prefix) → mode of every file to install."""
    layout = {f"bin/{name}": 0o755 for name in built_programs()}
    for source in (SOURCE_DIR / "docs/man").glob("*.scd"):
        page = source.name[:-len(".scd")]
        layout[f"share/man/man{page.rsplit('.', 1)[1]}/{page}.gz"] = 0o644
    layout["share/bash-completion/completions/kubectl-konduktor"] = 0o644
    layout["share/zsh/vendor-completions/_kubectl-konduktor"] = 0o644
    layout["share/doc/kubectl-konduktor/copyright"] = 0o644
    return layout


def files_under(root):
    return {str(p.relative_to(root)): p.stat().st_mode & 0o7777
            for p in root.rglob("*") if not p.is_dir()}


def check_contents(prefix):
    """What the installed files hold, for an install rooted at `prefix`."""
    assert (prefix / "share/doc/kubectl-konduktor/copyright").read_bytes() == \
        (SOURCE_DIR / "LICENSE").read_bytes()
    assert (prefix / "share/bash-completion/completions/kubectl-konduktor").read_bytes() == \
        (SOURCE_DIR / "plugin/completion/kubectl-konduktor.bash").read_bytes()
    zsh = (prefix / "share/zsh/vendor-completions/_kubectl-konduktor").read_bytes()
    assert zsh == (SOURCE_DIR / "plugin/completion/kubectl-konduktor.zsh").read_bytes()
    assert zsh.startswith(b"#compdef kubectl-konduktor\n")
    for page in (prefix / "share/man/man1").glob("*.gz"):
        built = BUILD_DIR / "docs/man" / page.name[:-len(".gz")]
        assert gzip.decompress(page.read_bytes()) == built.read_bytes()
    for name in built_programs():
        path = prefix / "bin" / name
        assert not path.is_symlink()
        assert path.read_bytes()[:4] == b"\x7fELF"
    r = subprocess.run([str(prefix / "bin/kubectl-konduktor"), "version"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("kubectl-konduktor v")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    destdir = tmp_path_factory.mktemp("destdir")
    env = dict(os.environ, DESTDIR=str(destdir))
    r = subprocess.run(["cmake", "--install", str(BUILD_DIR), "--prefix", "/usr"],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return destdir / "usr"


def test_install_layout(installed):
    assert files_under(installed) == expected_layout()
    check_contents(installed)


def test_bash_completion_finds_the_installed_script(installed):
    """bash-completion loads completions/<command> on first use, from the
    share directories in XDG_DATA_DIRS: the file name must be the command's."""
    program = f"""
export XDG_DATA_DIRS={installed}/share
source /usr/share/bash-completion/bash_completion
_completion_loader kubectl-konduktor
complete -p kubectl-konduktor
"""
    if not os.path.exists("/usr/share/bash-completion/bash_completion"):
        pytest.skip("bash-completion is not installed (scripts/install-deps.sh installs it)")
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
                       text=True, timeout=30)
    assert r.stdout.strip() == "complete -F __kubectl_konduktor_complete kubectl-konduktor"


def test_man_finds_the_installed_pages(installed):
    for source in (SOURCE_DIR / "docs/man").glob("*.scd"):
        name, section = source.name[:-len(".scd")].rsplit(".", 1)
        r = subprocess.run(["man", "-M", str(installed / "share/man"), "-w", section, name],
                           capture_output=True, text=True, timeout=30)
        assert r.stdout.strip() == str(installed / f"share/man/man{section}/{name}.{section}.gz")


# --- the Debian package ---------------------------------------------------

@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    out = tmp_path_factory.mktemp("cpack")
    r = subprocess.run(["cpack", "--config", str(BUILD_DIR / "CPackConfig.cmake"), "-G", "DEB",
                        "-B", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    version = subprocess.run([str(next(BUILD_DIR.glob("*/kubectl-konduktor"))), "version"],
                             capture_output=True, text=True, timeout=30).stdout.split(" v")[1].strip()
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    path = out / f"kubectl-konduktor_{version}_{arch}.deb"
    assert path.is_file(), sorted(p.name for p in out.iterdir())
    return path, version, arch


def field(deb_path, name):
    return subprocess.run(["dpkg-deb", "--field", str(deb_path), name], capture_output=True,
                          text=True, check=True, timeout=30).stdout.strip()


def depends_packages(deb_path):
    return {re.split(r"[ (]", d.strip())[0] for d in field(deb_path, "Depends").split(",")}


def test_deb_control(deb):
    path, version, arch = deb
    assert field(path, "Package") == "kubectl-konduktor"
    assert field(path, "Version") == version
    assert field(path, "Architecture") == arch
    assert field(path, "Maintainer")
    assert field(path, "Description").startswith("launch ML jobs on Kubernetes")
    assert REQUIRED_DEPENDS <= depends_packages(path)


def test_deb_contents(deb, tmp_path):
    path, _, _ = deb
    listing = subprocess.run(["dpkg-deb", "--contents", str(path)], capture_output=True,
                             text=True, check=True, timeout=30).stdout.splitlines()
    files = {}
    for line in listing:
        mode, owner, _size, _date, _time, name = line.split(None, 5)
        assert owner == "root/root", line
        if mode.startswith("d"):
            continue
        assert mode.startswith("-"), line  # regular files only, no links
        assert name.startswith("./usr/"), line
        files[name[len("./usr/"):]] = mode
    want = expected_layout()
    assert set(files) == set(want)
    for name, mode in want.items():
        assert files[name] == ("-rwxr-xr-x" if mode == 0o755 else "-rw-r--r--"), name
    subprocess.run(["dpkg-deb", "--extract", str(path), str(tmp_path)], check=True, timeout=60)
    check_contents(tmp_path / "usr")


def package_of(library):
    """The Debian package that ships a shared library (by its path)."""
    candidates = [library]
    for a, b in (("/usr/lib/", "/lib/"), ("/lib/", "/usr/lib/")):
        if library.startswith(a):
            candidates.append(b + library[len(a):])
    for candidate in candidates:
        r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, timeout=30)
        if r.returncode == 0:
            return r.stdout.split(":")[0]
    raise AssertionError(f"no package ships {library}")


def test_deb_depends_cover_every_linked_library(deb, tmp_path):
    """Each DT_NEEDED library of each packaged program comes from a package
    named in Depends (as dpkg-shlibdeps would have it)."""
    path, _, _ = deb
    subprocess.run(["dpkg-deb", "--extract", str(path), str(tmp_path)], check=True, timeout=60)
    depends = depends_packages(path)
    for program in (tmp_path / "usr/bin").iterdir():
        dynamic = subprocess.run(["readelf", "-d", str(program)], capture_output=True,
                                 text=True, check=True, timeout=30).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", dynamic)
        assert needed, program
        resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)",
                                   subprocess.run(["ldd", str(program)], capture_output=True,
                                                  text=True, timeout=30).stdout, re.M))
        for soname in needed:
            if SANITIZED and re.match(r"lib(asan|ubsan)\.", soname):
                continue  # the sanitizer build's runtime, not shipped
            assert soname in resolved, f"{program.name}: {soname} does not resolve"
            package = package_of(resolved[soname])
            assert package in depends, f"{program.name} needs {soname} from {package}"
