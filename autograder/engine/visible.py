"""Compiling a visible item: run it once against a recorder, keep the steps it took as data.

A visible item is written like any other (`nb.f(...)`, `nb.inspect(...)`, checks from
`autograder.expect`), but it runs only here: `nb` records each call and returns a `Ref` to its
result, and every check is recorded with its arguments. Reference answers, computed by the suite
while it runs, become plain values in the steps. The program (`worker/program.py`) is what both
the kit's grader and the students' runtime execute, so the suite's code never leaves the kit.
"""
import contextvars
import functools

from autograder.worker import program
from autograder.worker.namespace import StudentNamespace

_recording = contextvars.ContextVar("recording", default=None)


class Recorder(StudentNamespace):
    """The `nb` a visible item sees while compiling (`nb.f(...)` and `call` come from StudentNamespace)."""

    def __init__(self, steps):
        self._steps = steps

    def inspect(self, name, *args, **kwargs):
        return self._add("call", name, args, kwargs)

    def harness(self, name, *args, **kwargs):
        return self._add("harness", name, args, kwargs)

    def evaluate(self, name, file, *args, **kwargs):
        return self._add("evaluate", name, (file,) + args, kwargs)

    def has(self, name):
        raise TypeError("a visible item cannot branch on the notebook's contents: call the function instead")

    def _add(self, op, name, args, kwargs):
        self._steps.append({"op": op, "name": name, "args": args, "kwargs": kwargs})
        return program.Ref(len(self._steps) - 1)


def record_check(name, args, kwargs):
    """While compiling, record a check as a step and return a `Ref` to its result; else None."""
    steps = _recording.get()
    if steps is None:
        return None
    steps.append({"op": "check", "name": name, "args": args, "kwargs": kwargs})
    return program.Ref(len(steps) - 1)


def recording_active():
    return _recording.get() is not None


@functools.lru_cache(maxsize=None)
def compile_item(item):
    """The item's program as JSON-ready steps (deterministic: the same suite gives the same bytes)."""
    steps = []
    token = _recording.set(steps)
    try:
        item.func(Recorder(steps))
    finally:
        _recording.reset(token)
    return program.encode(steps)
