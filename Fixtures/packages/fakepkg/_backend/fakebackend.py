"""A tiny PEP 517 build backend for the wheelcache test fixtures.

Standard library only. It reads the project name and version from the
pyproject.toml in the current directory and writes a pure-Python wheel.

Files below a `payload/` folder next to pyproject.toml (if there is one) go into
the wheel as DIST/payload/..., so tests can see which source files a build saw.

Behaviour is chosen by environment variables:

WHEELCACHE_FAKE_MODE
    succeed (default)    build a valid wheel
    fail                 print log lines, then exit with status 3
    corrupt-record       valid zip, but one RECORD hash is wrong
    missing-record-row   a file in the wheel is not listed in RECORD
    wrong-name           the wheel file name uses another project name
    wrong-tag            WHEEL says py2-none-any, the file name py3-none-any
    no-wheel             return a file name that was never written
    sleep:SECONDS        sleep (float allowed), then build a valid wheel
    print-stdout         print a lot of junk to stdout, then succeed
    copy:PATH            hand over the wheel at PATH as it is (a hostile wheel, say),
                         under its own file name

WHEELCACHE_FAKE_COUNTER
    path of a file; every build_wheel call appends "name version pid\\n".

WHEELCACHE_FAKE_ENV_DUMP
    path of a file; build_wheel writes json.dumps(dict(os.environ)) there.

WHEELCACHE_FAKE_REQUIRES
    comma-separated requirements that get_requires_for_build_wheel returns (default none).

WHEELCACHE_FAKE_HOOK_LOG
    path of a file; each wheel hook appends "HOOK PID SYS_PREFIX\\n".

WHEELCACHE_FAKE_CWD_LOG
    path of a file; each wheel hook appends its working folder (the source tree) and "\\n".

WHEELCACHE_FAKE_DESCRIBE
    if set, the wheel gets an empty DIST/payload/git-describe-OUTPUT file, OUTPUT being
    what `git describe --tags` says in the source tree (as setuptools-scm would ask).
"""

import base64
import gzip
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time
import zipfile

_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_TAR_MTIME = 1577836800


def _read_project():
    with open("pyproject.toml", "r", encoding="utf-8") as f:
        text = f.read()
    section = None
    name = None
    version = None
    for line in text.splitlines():
        stripped = line.strip()
        header = re.match(r"^\[([^\[\]]+)\]\s*(#.*)?$", stripped)
        if header:
            section = header.group(1).strip()
            continue
        if section != "project":
            continue
        m = re.match(r'^name\s*=\s*"([^"]*)"', stripped)
        if m:
            name = m.group(1)
            continue
        m = re.match(r'^version\s*=\s*"([^"]*)"', stripped)
        if m:
            version = m.group(1)
    if not name or not version:
        raise RuntimeError("fakebackend: pyproject.toml has no [project] name/version")
    return name, version


def _underscored(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _append_counter(name, version):
    path = os.environ.get("WHEELCACHE_FAKE_COUNTER")
    if not path:
        return
    line = "%s %s %d\n" % (name, version, os.getpid())
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def _dump_env():
    path = os.environ.get("WHEELCACHE_FAKE_ENV_DUMP")
    if not path:
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(dict(os.environ)))


def _zip_write(zf, arcname, data):
    info = zipfile.ZipInfo(arcname, date_time=_ZIP_DATE)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def _payload(dist):
    found = []
    for folder, dirs, names in os.walk("payload"):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            if name == ".git":
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                found.append(("%s/%s" % (dist, path.replace(os.sep, "/")), f.read()))
    return found


def _log_hook(hook):
    cwd_log = os.environ.get("WHEELCACHE_FAKE_CWD_LOG")
    if cwd_log:
        with open(cwd_log, "a", encoding="utf-8") as f:
            f.write(os.getcwd() + "\n")
    path = os.environ.get("WHEELCACHE_FAKE_HOOK_LOG")
    if not path:
        return
    line = "%s %d %s\n" % (hook, os.getpid(), sys.prefix)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def get_requires_for_build_wheel(config_settings=None):
    _log_hook("get_requires_for_build_wheel")
    return [r.strip() for r in os.environ.get("WHEELCACHE_FAKE_REQUIRES", "").split(",") if r.strip()]


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _log_hook("build_wheel")
    name, version = _read_project()
    _append_counter(name, version)
    _dump_env()

    mode = os.environ.get("WHEELCACHE_FAKE_MODE", "") or "succeed"

    if mode == "fail":
        print("fakebackend: starting")
        for n in range(1, 31):
            print("fakebackend: log line %d" % n)
        sys.stdout.flush()
        sys.stderr.write("fakebackend: failing on purpose\n")
        sys.stderr.flush()
        raise SystemExit(3)
    if mode.startswith("copy:"):
        import shutil
        source = mode[len("copy:"):]
        os.makedirs(wheel_directory, exist_ok=True)
        shutil.copyfile(source, os.path.join(wheel_directory, os.path.basename(source)))
        return os.path.basename(source)
    if mode.startswith("sleep:"):
        time.sleep(float(mode[len("sleep:"):]))
    elif mode == "print-stdout":
        for n in range(2000):
            print("fakebackend junk %d: this is not a wheel file name.whl" % n)
        print("not-the-real-result-1.0-py3-none-any.whl")
        sys.stdout.flush()
    elif mode not in (
        "succeed",
        "corrupt-record",
        "missing-record-row",
        "wrong-name",
        "wrong-tag",
        "no-wheel",
    ):
        raise RuntimeError("fakebackend: unknown WHEELCACHE_FAKE_MODE %r" % mode)

    dist = _underscored(name)
    tag = "py3-none-any"
    file_dist = "othername" if mode == "wrong-name" else dist
    wheel_name = "%s-%s-%s.whl" % (file_dist, version, tag)

    if mode == "no-wheel":
        return "%s-%s-%s-does-not-exist.whl" % (dist, version, tag)

    dist_info = "%s-%s.dist-info" % (dist, version)
    settings = json.dumps(config_settings or {}, sort_keys=True)
    files = [
        (
            "%s/__init__.py" % dist,
            (
                '"""Built by fakebackend."""\n'
                "__version__ = %r\n"
                "CONFIG_SETTINGS = %r\n" % (version, settings)
            ).encode("utf-8"),
        ),
        (
            "%s/METADATA" % dist_info,
            ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode("utf-8"),
        ),
        (
            "%s/WHEEL" % dist_info,
            (
                "Wheel-Version: 1.0\n"
                "Generator: fakebackend\n"
                "Root-Is-Purelib: true\n"
                "Tag: %s\n" % ("py2-none-any" if mode == "wrong-tag" else tag)
            ).encode("utf-8"),
        ),
    ]

    files.extend(_payload(dist))
    if os.environ.get("WHEELCACHE_FAKE_DESCRIBE"):
        import subprocess
        described = subprocess.run(["git", "describe", "--tags"], capture_output=True, text=True)
        label = described.stdout.strip() if described.returncode == 0 else "failed"
        files.append(("%s/payload/git-describe-%s" % (dist, label), b""))

    record_lines = []
    for i, (arcname, data) in enumerate(files):
        digest = _record_hash(data)
        if mode == "corrupt-record" and i == 0:
            digest = _record_hash(data + b"# tampered\n")
        record_lines.append("%s,%s,%d\n" % (arcname, digest, len(data)))
    record_path = "%s/RECORD" % dist_info
    record_lines.append("%s,,\n" % record_path)

    if mode == "missing-record-row":
        files.insert(1, ("%s/unlisted.py" % dist, b"# this file is not in RECORD\n"))

    os.makedirs(wheel_directory, exist_ok=True)
    target = os.path.join(wheel_directory, wheel_name)
    tmp = target + ".tmp-%d" % os.getpid()
    with zipfile.ZipFile(tmp, "w") as zf:
        for arcname, data in files:
            _zip_write(zf, arcname, data)
        _zip_write(zf, record_path, "".join(record_lines).encode("utf-8"))
    os.replace(tmp, target)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    name, version = _read_project()
    base = "%s-%s" % (name, version)
    sdist_name = base + ".tar.gz"
    pkg_info = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode("utf-8")

    entries = []
    for root, dirs, filenames in os.walk("."):
        dirs[:] = sorted(
            d for d in dirs
            if d not in ("__pycache__", "build", "dist") and not d.endswith(".egg-info")
        )
        for fn in sorted(filenames):
            if fn.endswith(".pyc") or fn == "PKG-INFO":
                continue
            path = os.path.normpath(os.path.join(root, fn))
            entries.append(path.replace(os.sep, "/"))

    def add(tf, arcname, data):
        info = tarfile.TarInfo(arcname)
        info.size = len(data)
        info.mtime = _TAR_MTIME
        info.mode = 0o644
        tf.addfile(info, io.BytesIO(data))

    os.makedirs(sdist_directory, exist_ok=True)
    target = os.path.join(sdist_directory, sdist_name)
    with open(target, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
                add(tf, base + "/PKG-INFO", pkg_info)
                for path in sorted(entries):
                    with open(path, "rb") as f:
                        add(tf, base + "/" + path, f.read())
    return sdist_name
