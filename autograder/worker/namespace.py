"""What a check sees of a submission: `nb.sigmoid(z)` calls the student's `sigmoid`.

`autograder.engine.namespaces.RemoteNamespace` forwards calls to a worker process (the kit's grader);
`LocalNamespace` runs them in this process (nbgrader's kernel, or a student's own kernel through
the shipped visible checks). Both send
arguments and results through the same wire codec and `Session`, so a suite cannot tell them apart.
"""
import contextlib
import functools
import signal
import threading
from typing import Any, NamedTuple

from . import wire
from .failures import MissingFunction, StudentError, StudentTimeout
from .session import Session


class CallResult(NamedTuple):
    value: Any
    args: Any           # the positional arguments as the function left them (to detect mutation)
    warnings: list
    stdout: str
    stderr: str


class StudentNamespace:
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return functools.partial(self.call, name)

    def call(self, name, *args, **kwargs):
        """Call the student's function and return its (decoded) result; failures raise ItemFailure."""
        return self.inspect(name, *args, **kwargs).value

    def inspect(self, name, *args, **kwargs):
        """Like `call`, but also return the arguments after the call, warnings and printed text."""
        return self._send({"op": "call", "name": name, "return_args": True}, name, args, kwargs)

    def harness(self, name, *args, **kwargs):
        """Run a worker-side procedure (see `worker.session.Session.harness`) on the student's code."""
        return self._send({"op": "harness", "name": name}, name, args, kwargs)

    def evaluate(self, name, file, *args, **kwargs):
        """Run a trusted procedure (like `harness`) on `file`, a file the student's side wrote (e.g. a
        saved model), in a fresh process that has run no student code: in the kit's grader, a sandbox
        of its own (`worker_process.Worker.evaluate`). The procedure gets the file's path first."""
        return self._send({"op": "harness", "name": name, "file": file}, name, args, kwargs)

    def _send(self, request, name, args, kwargs):
        codec = wire.GraderCodec()
        request.update(args=codec.encode(list(args)), kwargs=codec.encode(kwargs))
        reply = self._request(request, codec)
        status = reply.get("status")
        if status == "missing":
            raise MissingFunction(reply["message"])
        if status == "timeout":
            raise StudentTimeout("`%s` did not finish within the time limit (%s s); look for an endless loop"
                                 % (name, self._time_limit()))
        if status == "error":
            raise StudentError("`%s` raised an error:\n%s" % (name, reply["error"]))
        try:
            value = codec.decode(reply["value"])
            after = codec.decode(reply.get("args"))
        except (wire.WireError, KeyError, TypeError, ValueError) as exc:
            raise StudentError("`%s` returned something unreadable: %s" % (name, exc)) from None
        return CallResult(value, after, list(reply.get("warnings", [])),
                          reply.get("stdout", ""), reply.get("stderr", ""))

    def has(self, name):
        return bool(self._request({"op": "has", "name": name}, wire.GraderCodec()).get("value"))

    def _request(self, message, codec):
        raise NotImplementedError

    def _time_limit(self):
        return "?"


def answer_callback(codec, message):
    """Run the grader's own callable that student code asked for (e.g. `f` in numerical_gradient)."""
    try:
        func = codec.callbacks[message["id"]]
        return {"status": "ok", "value": codec.encode(func(*codec.decode(message["args"])))}
    except Exception as exc:       # reported to the student's code as an error, never crashes grading
        return {"status": "error", "error": "%s: %s" % (type(exc).__name__, exc)}


class LocalNamespace(StudentNamespace):
    """The student's globals in this very process (nbgrader's kernel, or the student's own).

    With `call_timeout` (seconds), a call that runs longer is interrupted and fails as it would in
    the kit's worker; this needs SIGALRM and the main thread (Linux, macOS), and is skipped elsewhere.
    """

    def __init__(self, namespace, call_timeout=None):
        self._session = Session(self._call_back, namespace=namespace)
        self._codec = None
        self._call_timeout = call_timeout

    def _time_limit(self):
        return "?" if self._call_timeout is None else self._call_timeout

    def _call_back(self, ident, args):
        reply = answer_callback(self._codec, wire.loads(wire.dumps(
            {"id": ident, "args": self._session.codec.encode(list(args))}))
        )
        if reply["status"] != "ok":
            raise RuntimeError("the grader's function failed: %s" % reply["error"])
        return self._session.codec.decode(reply["value"])

    def _request(self, message, codec):
        self._codec = codec
        message = wire.loads(wire.dumps(message))
        with _alarm(self._call_timeout) as fired:
            try:
                if "file" in message:              # no sandbox here: the evaluator is a blank namespace
                    evaluator = Session(self._call_back, namespace={})
                    reply = evaluator.handle(dict(message, args=[message["file"]] + message["args"]))
                else:
                    reply = self._session.handle(message)
            except KeyboardInterrupt:
                if not fired:
                    raise
                reply = {"status": "timeout"}
        return wire.loads(wire.dumps(reply))


@contextlib.contextmanager
def _alarm(seconds):
    """Interrupt the block (KeyboardInterrupt) after `seconds`; yields a list that is non-empty once it fired."""
    fired = []
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield fired
        return

    def interrupt(signum, frame):
        fired.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
