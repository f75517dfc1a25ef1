"""Start, talk to, time-limit and stop the worker process that runs one submission's code."""
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass

import grading_config

from .failures import WorkerCrashed
from .worker import wire

WORKER_MAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker", "main.py")
SITE_DIRS = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
MAX_REPLY_BYTES = 300 * 2**20
MAX_LOG_BYTES = 20_000
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TZ")
# Student code sees the same environment under the kit and under nbgrader (`course.nbgrader`):
# one thread per math library, quiet TensorFlow (stderr would zero an nbgrader test cell), and
# NBGRADER_EXECUTION so notebooks pick their small grading budget in both graders.
# matplotlib's font cache is built once into the venv, not once per (fresh, temporary) HOME.
GRADING_ENV = {"MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(sys.prefix, "matplotlib-cache"),
               "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
               "NBGRADER_EXECUTION": "autograde"}


@dataclass(frozen=True)
class Limits:
    cell_timeout: float
    call_timeout: float
    memory_mb: int
    notebook_mb: int
    max_restarts: int

    @classmethod
    def for_assignment(cls, assignment):
        """grading_config.LIMITS, overridden by the assignment's own "limits" entry if any."""
        limits = dict(grading_config.LIMITS)
        limits.update(grading_config.ASSIGNMENTS.get(assignment, {}).get("limits", {}))
        return cls(**limits)


class Worker:
    """One submission's code in its own process, working directory and limits.

    Cells run once at start (errors are recorded per cell, as Jupyter would show them); after
    that, `request` sends one call. If the process dies, the next request restarts it and reruns
    the cells, at most `limits.max_restarts` times.
    """

    def __init__(self, cells, limits):
        self.cells = cells
        self.limits = limits
        self.cell_reports = None        # {cell index: error text} from the first run
        self.death = None               # why the process last died, for messages
        self.restarts = 0
        self.proc = None
        self.log = tempfile.TemporaryFile()
        self.workdir = tempfile.mkdtemp(prefix="grading-")

    def __enter__(self):
        self._start()
        return self

    def __exit__(self, *exc):
        self.close()

    # -- lifecycle --------------------------------------------------------------------------
    def _start(self):
        read_fd, write_fd = os.pipe()
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.update(GRADING_ENV, HOME=self.workdir)
        memory = self.limits.memory_mb * 2**20

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", WORKER_MAIN, str(write_fd), *SITE_DIRS],
            stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
            cwd=self.workdir, env=env, start_new_session=True, preexec_fn=limit)
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
            self.proc.stdin.close()
            os.close(self.replies)
            self.proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)

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
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
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
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.replies], [], [], remaining)[0]:
                return None
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                return EOFError
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY_BYTES:
                self._kill()
                return EOFError
        line, _, rest = self.buffer.partition(b"\n")
        self.buffer = bytearray(rest)
        try:
            return wire.loads(bytes(line))
        except ValueError:
            return {"status": "error", "error": "the worker sent an unreadable reply"}
