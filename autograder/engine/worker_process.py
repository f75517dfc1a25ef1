"""Start, talk to, time-limit and stop the worker process that runs one submission's code."""
import json
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.util import Finalize
from pathlib import Path

import grading_config

from autograder.items import setting
from autograder.worker.failures import WorkerCrashed
from autograder.engine.sandbox import FILE_LIMITS, Confinement, kill_cgroup_except, remove_cgroup
from autograder.worker import wire

WORKER_MAIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "worker", "main.py")
# The interpreter without "..": started as ../../.venv/bin/python in a subfolder, sys.executable is
# <subfolder>/../../.venv/bin/python, which resolves only through folders the sandbox does not show.
PYTHON = os.path.abspath(sys.executable)
SITE_DIRS = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
MAX_REPLY_BYTES = wire.MAX_BYTES * 4 // 3 + 2**24      # base64 of the largest value, plus framing
MAX_LOG_BYTES = 20_000
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TZ")
# Student code sees the same environment under the kit and under nbgrader (`nbgrader_bridge.nbgrader`):
# one thread per math library (TensorFlow too: 07's small models train ~1.6x faster on one
# thread than on two, and the class grader runs one submission per core), quiet TensorFlow
# (stderr would zero an nbgrader test cell), and NBGRADER_EXECUTION so notebooks pick their small
# grading budget in both graders.
# matplotlib's font cache is built once into the venv, not once per (fresh, temporary) HOME.
GRADING_ENV = {"MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(sys.prefix, "matplotlib-cache"),
               "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
               "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "NBGRADER_EXECUTION": "autograde"}


@dataclass(frozen=True)
class Limits:
    cell_timeout: float
    call_timeout: float
    memory_mb: int
    notebook_mb: int
    max_restarts: int

    @classmethod
    def for_assignment(cls, assignment):
        """grading_config.LIMITS, overridden by the assignment's own "limits" (`items.settings`), if any."""
        return cls(**setting(assignment, "limits", grading_config.LIMITS))


class ForkedWorker:
    """A worker forked by the zygote: what Popen would give, for a process that is not our child."""

    def __init__(self, zygote, pid, stdin):
        self.zygote, self.pid, self.stdin, self.returncode = zygote, pid, stdin, None

    def poll(self):
        if self.returncode is None and self.zygote.exit_ready():
            self.returncode = self.zygote.read_exit()
        return self.returncode

    def wait(self):
        if self.returncode is None:
            self.returncode = self.zygote.read_exit()
        return self.returncode


class Zygote:
    """A warm process (its `preload` modules imported) that forks a fresh worker per submission.

    Starting a worker this way costs a fork instead of an interpreter start and imports (for 07,
    TensorFlow's seconds); each worker still starts from the zygote's clean state, which has run
    nothing but imports (`zygote_threads`, which it reports, stays 1: forking is safe). One per
    role and preload per grading process, each in a sandbox of its own, restarted if it dies (a
    student's code may kill its parent).
    """

    def __init__(self, role, preload):
        self.role, self.preload = role, tuple(preload)
        self.proc = self.sock = self.confinement = self.zygote_threads = None
        self.buffer = b""
        self.owner = os.getpid()

    def scratch(self):
        """The folder for workers' working directories (the only writable place in the sandbox)."""
        if self.owner != os.getpid():       # a forked copy (e.g. a pool process): start its own
            self.__init__(self.role, self.preload)
        if self.confinement is None:
            self.confinement = Confinement(self.role)
            Finalize(self, self._cleanup, exitpriority=10)     # also runs in multiprocessing children
        return self.confinement.scratch

    def environment(self, home):
        """What student code finds in os.environ: a few of ours, GRADING_ENV, and its own HOME."""
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.update(GRADING_ENV, HOME=home, TMPDIR=home)
        if self.confinement.sandboxed:
            env["MPLCONFIGDIR"] = "/tmp/matplotlib"      # the venv is read-only in there
        return env

    def protections(self, limits):
        self.scratch()
        return self.confinement.describe(limits)

    def ensure(self):
        scratch = self.scratch()
        if self.proc is not None and self.proc.poll() is None:
            return
        self._cleanup_zygote()
        ours, theirs = socket.socketpair()
        env = self.environment(scratch)
        self.proc = subprocess.Popen(
            self.confinement.prefix + [PYTHON, "-I", "-S", WORKER_MAIN, "zygote", str(theirs.fileno()),
                                       ",".join(self.preload), *SITE_DIRS],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), cwd=scratch, env=env, start_new_session=True,
            preexec_fn=self.confinement.join_cgroup)
        theirs.close()
        self.sock, self.buffer = ours, b""

    def kill_leftovers(self):
        """After a worker ends: kill anything it left behind in the cgroup (escaped children)."""
        if self.proc is not None and self.confinement.cgroup is not None:
            kill_cgroup_except(self.confinement.cgroup, _descendants_up_to_zygote(self.proc.pid))

    def _cleanup_zygote(self):
        """Stop the zygote (and, through the sandbox, everything it started)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            if self.confinement.cgroup is not None:
                kill_cgroup_except(self.confinement.cgroup, ())
            self.proc = None

    def _cleanup(self):
        self._cleanup_zygote()
        if self.confinement is not None:
            if self.confinement.cgroup is not None:
                kill_cgroup_except(self.confinement.cgroup, ())
                remove_cgroup(self.confinement.cgroup, wait=2)
            shutil.rmtree(self.confinement.scratch, ignore_errors=True)

    def spawn(self, cwd, env, memory_mb, replies_fd, log_fd):
        """Fork a worker with this working directory, environment and memory limit."""
        self.ensure()
        requests_read, requests_write = os.pipe()
        try:
            spec = dict(FILE_LIMITS, cwd=cwd, env=env, memory_mb=memory_mb)
            socket.send_fds(self.sock, [json.dumps(spec).encode()],
                            [requests_read, replies_fd, log_fd])
            message = self._message()
            self.zygote_threads = message.get("zygote_threads")
            pid = self._host_pid(message["pid"])
        except (OSError, KeyError, ValueError):
            self._cleanup_zygote()
            raise WorkerCrashed("the grading sandbox could not start a worker") from None
        finally:
            os.close(requests_read)
        return ForkedWorker(self, pid, os.fdopen(requests_write, "wb"))

    def _host_pid(self, pid):
        """The worker's pid as this process sees it (inside the sandbox's PID namespace it differs)."""
        zygote = _descendants_up_to_zygote(self.proc.pid)[-1]
        for child in _read(zygote, "task/%d/children" % zygote).split():
            status = _read(int(child), "status").decode()
            if status.split("NSpid:")[-1].split("\n")[0].split()[-1:] == [str(pid)]:
                return int(child)
        raise OSError("the worker the zygote started is not visible")

    def exit_ready(self):
        return b"\n" in self.buffer or bool(select.select([self.sock], [], [], 0)[0])

    def read_exit(self):
        """The exit code of the current worker (-9 if the zygote itself is gone)."""
        try:
            return self._message()["exit"]
        except (OSError, KeyError, ValueError):
            self._cleanup_zygote()
            return -signal.SIGKILL

    def _message(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("the zygote is gone")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)


def _descendants_up_to_zygote(pid):
    """The chain bwrap → bwrap → zygote (host pids): first children, until a process that is not bwrap."""
    chain = [pid]
    while os.path.basename(_read(pid, "cmdline").split(b"\0")[0]) == b"bwrap":
        children = _read(pid, "task/%d/children" % pid).split()
        if not children:
            break
        pid = int(children[0])
        chain.append(pid)
    return chain


def _read(pid, name):
    try:
        return Path("/proc/%d/%s" % (pid, name)).read_bytes()
    except OSError:
        return b""


BASE_PRELOAD = ("numpy", "matplotlib.pyplot")
_ZYGOTES = {}


def zygote(role, preload):
    """This process's zygote for workers of `role` ("worker": student code; "evaluator": trusted
    procedures on files student code wrote) that preload `preload` besides numpy and matplotlib."""
    key = (role, BASE_PRELOAD + tuple(m for m in preload if m not in BASE_PRELOAD))
    if key not in _ZYGOTES:
        _ZYGOTES[key] = Zygote(*key)
    return _ZYGOTES[key]


def preload_for(assignment):
    """The modules an assignment's workers import before forking (its setting "preload")."""
    return tuple(setting(assignment, "preload", ()))


def start_zygotes(preload):
    """Start the worker and evaluator zygotes now, so their imports run side by side and beside the
    grader's own work (the evaluator's only where there is more than numpy to preload)."""
    for role in ("worker", "evaluator") if preload else ("worker",):
        zygote(role, preload).ensure()


class Worker:
    """One submission's code in its own process, working directory and limits.

    Cells run once at start (errors are recorded per cell, as Jupyter would show them); after
    that, `request` sends one call. If the process dies, the next request restarts it and reruns
    the cells, at most `limits.max_restarts` times.
    """

    def __init__(self, cells, limits, preload=(), role="worker"):
        self.cells = cells
        self.limits = limits
        self.preload = preload
        self.zygote = zygote(role, preload)
        self.cell_reports = None        # {cell index: error text} from the first run
        self.death = None               # why the process last died, for messages
        self.restarts = 0
        self.proc = None
        self.log = tempfile.TemporaryFile()
        self.workdir = tempfile.mkdtemp(prefix="grading-", dir=self.zygote.scratch())

    def __enter__(self):
        self._start()
        return self

    def __exit__(self, *exc):
        self.close()

    # -- lifecycle --------------------------------------------------------------------------
    def _start(self):
        env = self.zygote.environment(self.workdir)
        read_fd, write_fd = os.pipe()
        self.proc = self.zygote.spawn(self.workdir, env, self.limits.memory_mb, write_fd, self.log.fileno())
        os.close(write_fd)
        self.replies = read_fd
        self.buffer = bytearray()
        self.death = None
        reports = {}
        for index, source in self.cells:
            try:
                reply = self._exchange({"op": "cell", "index": index, "source": source},
                                       self.limits.cell_timeout, None)
            except WorkerCrashed as exc:
                reports[index] = str(exc)
                break
            if reply["status"] == "timeout":
                reports[index] = "the cell ran longer than %s s and was interrupted" % self.limits.cell_timeout
            elif reply["status"] != "ok":
                reports[index] = reply.get("error", "failed")
            if not self.alive():
                break
        if self.cell_reports is None:
            self.cell_reports = reports

    def alive(self):
        return self.proc is not None and self.proc.poll() is None and self.death is None

    def close(self):
        if self.proc is not None:
            self._kill()
            try:
                self.proc.stdin.close()
            except OSError:                 # unsent bytes to a worker that died
                pass
            os.close(self.replies)
            self.proc = None
        self.zygote.kill_leftovers()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def protections(self):
        """What confines this worker, in words, for every report."""
        return self.zygote.protections(self.limits)

    def peak_mb(self):
        """The worker's peak resident memory (MB) as it reports it, or None if it is gone."""
        if not self.alive():
            return None
        try:
            reply = self._exchange({"op": "stats"}, 2, None)
        except WorkerCrashed:
            return None
        return reply.get("peak_mb")

    def output(self):
        """What the student's code printed (capped)."""
        self.log.seek(0)
        text = self.log.read(MAX_LOG_BYTES + 1).decode("utf-8", "replace")
        return text if len(text) <= MAX_LOG_BYTES else text[:MAX_LOG_BYTES] + "\n[... output truncated]"

    def _kill(self):
        for kill in (os.killpg, os.kill):           # the group, and the worker itself in case it has none yet
            try:
                kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()

    def _died(self, what):
        code = self.proc.wait()
        if code < 0:
            how = "killed by signal %s" % signal.Signals(-code).name
            if -code == signal.SIGKILL:
                how += " (out of time or memory?)"
        else:
            how = "exited with status %d (sys.exit/os._exit?)" % code
        self.death = "%s: the process %s" % (what, how)
        return WorkerCrashed("the notebook's process died while %s" % self.death)

    def evaluate(self, message):
        """Run a trusted procedure on a file this worker's code wrote (`message["file"]`), in a fresh
        evaluator: a process of a separate sandbox that has run no student code. The file's bytes are
        copied there (never opened here beyond reading them); the procedure gets its path first."""
        try:
            data = self._own_file(message["file"])
        except OSError as exc:
            return {"status": "error", "error": "the file it wrote cannot be used: %s" % exc}
        with Worker([], self.limits, self.preload, role="evaluator") as evaluator:
            extension = os.path.splitext(str(message["file"]))[1]      # Keras goes by it
            path = os.path.join(evaluator.workdir, "file" + (extension if extension[1:].isalnum() else ""))
            with open(path, "wb") as copy:
                copy.write(data)
            try:
                return evaluator.request(dict(message, args=[path] + message["args"]), None)
            except WorkerCrashed as exc:
                return {"status": "error", "error": str(exc).replace("the notebook's process", "the evaluator")}

    def _own_file(self, name):
        """The bytes of a regular file inside this worker's folder (symbolic links refused: a student's
        code may point one at anything), at most the worker's file size limit."""
        fd = os.open(os.path.join(self.workdir, str(name)), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            real = os.readlink("/proc/self/fd/%d" % fd)
            if os.path.commonpath([real, os.path.realpath(self.workdir)]) != os.path.realpath(self.workdir):
                raise OSError("%s is outside the notebook's folder" % name)
            if not stat.S_ISREG(os.fstat(fd).st_mode) or os.fstat(fd).st_size > FILE_LIMITS["fsize_mb"] * 2**20:
                raise OSError("%s is not a regular file of at most %d MB" % (name, FILE_LIMITS["fsize_mb"]))
            return f.read()

    # -- requests ---------------------------------------------------------------------------
    def request(self, message, on_callback):
        """Send one call and return the reply; restarts a dead worker first if allowed."""
        if not self.alive():
            if self.restarts >= self.limits.max_restarts:
                raise WorkerCrashed("the notebook's process died (%s) and was restarted %d times "
                                    "already; remaining tests are not run" % (self.death, self.restarts))
            self.restarts += 1
            self._kill()
            os.close(self.replies)
            self._start()
        return self._exchange(message, self.limits.call_timeout, on_callback)

    def _exchange(self, message, timeout, on_callback):
        what = {"cell": "running cell %s" % message.get("index"), "stats": "reporting its memory"}.get(
            message["op"], "running `%s`" % message.get("name"))
        try:
            self.proc.stdin.write(wire.dumps(message))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._died(what) from None
        deadline = time.monotonic() + timeout
        interrupted = False
        while True:
            reply = self._read(deadline)
            if reply is None and not interrupted:       # time is up: interrupt, give it 2 s
                interrupted = True
                os.kill(self.proc.pid, signal.SIGINT)
                deadline = time.monotonic() + 2
                continue
            if reply is None:
                self._kill()
                self.death = "%s: it ignored the interrupt after the time limit" % what
                return {"status": "timeout"}
            if reply is EOFError:
                raise self._died(what)
            if reply.get("op") == "callback" and on_callback is not None:
                self.proc.stdin.write(wire.dumps(on_callback(reply)))
                self.proc.stdin.flush()
                continue
            return reply

    def _read(self, deadline):
        """One reply line, None on timeout, EOFError if the process closed its end."""
        end = self.buffer.find(b"\n")
        while end < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.replies], [], [], remaining)[0]:
                return None
            chunk = os.read(self.replies, 1 << 22)
            if not chunk:
                return EOFError
            if b"\n" in chunk:                # look only at the new bytes: large replies stay linear
                end = len(self.buffer) + chunk.index(b"\n")
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY_BYTES:
                self._kill()
                return EOFError
        line, self.buffer = bytes(self.buffer[:end]), self.buffer[end + 1:]
        try:
            return wire.loads(line)
        except ValueError:
            return {"status": "error", "error": "the worker sent an unreadable reply"}
