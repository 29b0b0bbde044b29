/// The Python programs wheelcache runs, kept as source so the binary needs no data files.
/// Both write their results to a file named on the command line: backends and site hooks
/// print to stdout freely, so stdout is only ever a log.
enum PythonScripts {
    /// Prints nothing; writes the interpreter's facts as JSON to argv[1].
    static let probe = #"""
import json, os, sys, sysconfig

impl = sys.implementation.name
nodot = "%d%d" % sys.version_info[:2]
prefix = {"cpython": "cp", "pypy": "pp"}.get(impl, impl)
free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
if impl == "cpython":
    # As packaging.tags: cp + version + t (free-threaded) + d (debug) + m (pymalloc, < 3.8).
    abi = "cp" + nodot + ("t" if free_threaded else "") + ("d" if hasattr(sys, "gettotalrefcount") else "")
    if sys.version_info < (3, 8) and sysconfig.get_config_var("WITH_PYMALLOC"):
        abi += "m"
else:
    soabi = sysconfig.get_config_var("SOABI") or ""
    abi = soabi.replace("-", "_").replace(".", "_") or "none"
try:
    from importlib.metadata import version as _v
    pip_version = _v("pip")
except Exception:
    pip_version = None
def _tags():
    for name in ("packaging.tags", "pip._vendor.packaging.tags"):
        try:
            module = __import__(name, fromlist=["sys_tags"])
            return [str(t) for t in module.sys_tags()]
        except Exception:
            continue
    return None

import platform
markers = {
    "implementation_name": impl,
    "implementation_version": "%d.%d.%d" % sys.implementation.version[:3],
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": "%d.%d" % sys.version_info[:2],
    "sys_platform": sys.platform,
}
facts = {
    "supportedTags": _tags(),
    "markerEnvironment": markers,
    "executable": os.path.realpath(sys.executable),
    "implementation": impl,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "pythonVersion": "%d.%d" % sys.version_info[:2],
    "pythonTag": prefix + nodot,
    "abiTag": abi,
    "platformTag": sysconfig.get_platform().replace("-", "_").replace(".", "_"),
    "freeThreaded": free_threaded,
    "pipVersion": pip_version,
}
with open(sys.argv[1], "w") as f:
    json.dump(facts, f)
"""#

    /// Calls PEP 517 hooks in one process: `runner.py CONTROL_DIR` reads `input.json` there
    /// (`hooks`: in order, each `{hook, kwargs}`) and writes `output.json` (each hook's return
    /// value under its name, or `error`/`backend_error` with `failed_hook`). With
    /// `check_requires`, it stops after `get_requires_for_build_wheel` (`stopped: true`) when
    /// what that hook asks for is not installed, so the caller can provide it; otherwise the
    /// backend is imported once for both hooks. The source tree's path arrives on standard
    /// input (end of file: stop without a result); the backend is imported before it arrives
    /// unless `backend_path` puts it in the tree, and the hooks run there.
    static let hookRunner = #"""
import importlib, json, os, re, sys, traceback

def load_backend(spec, backend_path):
    # PEP 517: backend-path entries are relative to the source tree and must stay inside it;
    # a backend found there must come from there.
    root = os.path.realpath(os.getcwd())
    paths = []
    for entry in backend_path:
        full = os.path.realpath(os.path.join(root, entry))
        if os.path.commonpath([root, full]) != root:
            raise BackendInvalid("backend-path entry %r leaves the source tree" % entry)
        paths.append(full)
    sys.path[:0] = paths
    module_name, _, attrs = spec.partition(":")
    try:
        obj = importlib.import_module(module_name.strip())
    except ImportError as e:
        raise BackendUnavailable("cannot import %r: %s" % (module_name, e))
    if paths:
        origin = os.path.realpath(getattr(obj, "__file__", "") or "")
        if not any(os.path.commonpath([p, origin]) == p for p in paths if origin):
            raise BackendInvalid("backend %r was not loaded from backend-path" % spec)
    for attr in filter(None, attrs.strip().split(".")):
        obj = getattr(obj, attr)
    return obj

class BackendUnavailable(Exception):
    pass

class BackendInvalid(Exception):
    pass

def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()

def requirement_name(text):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return match.group(1) if match else ""

def installed(names):
    from importlib.metadata import distributions
    wanted = {normalize(n) for n in names if n}
    # With no requirements named (requires = []), report none, not every installed distribution.
    found = set()
    for dist in distributions():
        name = (dist.metadata["Name"] or "")
        if normalize(name) in wanted:
            found.add("%s==%s" % (name, dist.version))
    return sorted(found)

def satisfied(requirements):
    """Whether every requirement is installed here. Without a `packaging` to read version
    specifiers and markers, only bare names can be judged; anything else counts as missing."""
    from importlib.metadata import version, PackageNotFoundError
    Requirement = None
    for module in ("packaging.requirements", "setuptools._vendor.packaging.requirements",
                   "pip._vendor.packaging.requirements"):
        try:
            Requirement = importlib.import_module(module).Requirement
            break
        except Exception:
            continue
    for text in requirements:
        if Requirement is None:
            name = requirement_name(text)
            if name != text.strip():
                return False
            spec, marker = None, None
        else:
            try:
                req = Requirement(text)
            except Exception:
                return False
            name, spec, marker = req.name, req.specifier, req.marker
        if marker is not None and not marker.evaluate():
            continue
        try:
            have = version(name)
        except PackageNotFoundError:
            return False
        if spec is not None and not spec.contains(have, prereleases=True):
            return False
    return True

def die_with_parent():
    # wheelcache may be killed outright (SIGKILL, the OOM killer); the build must not go on
    # as an orphan in a staging folder the next run clears. Linux only; best effort.
    try:
        import ctypes, signal
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except Exception:
        return
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)

def main():
    die_with_parent()
    control = sys.argv[1]
    with open(os.path.join(control, "input.json")) as f:
        request = json.load(f)
    result = {}
    report = list(request.get("report", []))
    hook = None
    # The backend is imported before the source tree is ready (wheelcache may still be
    # unpacking it), unless it lives in the tree (backend-path). An import error is reported
    # as it would be after.
    backend = early_error = None
    if not request.get("backend_path"):
        try:
            backend = load_backend(request["backend"], [])
        except BaseException as e:
            early_error = e
    tree = os.fsdecode(sys.stdin.buffer.read())
    if not tree:
        os._exit(0)  # the tree could not be written; wheelcache reports why
    os.chdir(tree)
    try:
        if early_error is not None:
            raise early_error
        if backend is None:
            backend = load_backend(request["backend"], request.get("backend_path", []))
        for step in request["hooks"]:
            hook = step["hook"]
            func = getattr(backend, hook, None)
            value = func(**step.get("kwargs", {})) if func is not None else ([] if hook.startswith("get_requires") else None)
            result[hook] = value
            if hook == "get_requires_for_build_wheel":
                value = [str(r) for r in value]
                result[hook] = value
                report += [requirement_name(r) for r in value]
                if request.get("check_requires") and value and not satisfied(value):
                    result["stopped"] = True
                    break
        result["installed"] = installed(report)
    except (BackendUnavailable, BackendInvalid) as e:
        result["backend_error"] = str(e)
    except BaseException as e:
        traceback.print_exc()
        result["failed_hook"] = hook
        result["error"] = "%s: %s" % (type(e).__name__, e)
        if isinstance(e, SystemExit):
            result["error"] = "the backend exited with status %s" % (e.code,)
    with open(os.path.join(control, "output.json"), "w") as f:
        json.dump(result, f)
    # Exit handlers run (temporary folders are removed), but not the tear-down of every
    # module the backend loaded, which takes tens of milliseconds and does nothing for us.
    import atexit
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)

main()
"""#
}
