"""A student's notebook namespace and the two things the grader may ask of it: run a cell, call a name.

Used inside the worker process (see `main.py`) and, for nbgrader's kernel, in-process by
`autograder.checks`; both paths run student code through this one class, so both graders see
the same values.
"""
import builtins
import collections.abc
import contextlib
import functools
import importlib
import io
import itertools
import linecache
import os
import sys
import tempfile
import traceback
import warnings

from .wire import MAX_BYTES, OwnerCodec, WireError

MAX_TEXT = 10_000
MAX_ITEMS = 100_000                 # the most items a returned generator or iterator may yield


class Session:
    def __init__(self, call_back, namespace=None, max_bytes=MAX_BYTES):
        self.namespace = {"__name__": "__main__", "__builtins__": builtins} if namespace is None else namespace
        self.codec = OwnerCodec(call_back, max_bytes=max_bytes)

    def run_cell(self, index, source):
        """Execute one code cell; errors are reported, never raised (KeyboardInterrupt excepted)."""
        filename = "<cell %d>" % index
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            exec(compile(source, filename, "exec"), self.namespace)
        except KeyboardInterrupt:
            raise
        except SystemExit as exc:
            return {"status": "error", "error": "SystemExit(%r): the cell called sys.exit()" % (exc.code,)}
        except BaseException as exc:
            return {"status": "error", "error": _describe(exc)}
        return {"status": "ok"}

    def handle(self, message):
        """Answer one request of the protocol in `main.py`: cell, call, harness, has or stats."""
        op = message.get("op")
        if op == "cell":
            return self.run_cell(message["index"], message["source"])
        if op == "call":
            return self.call(message["name"], message["args"], message["kwargs"], message.get("return_args"))
        if op == "harness":
            return self.harness(message["name"], message["args"], message["kwargs"])
        if op == "has":
            return self.has(message["name"])
        if op == "stats":
            import resource             # POSIX only; the worker is, a student's own kernel may not be
            return {"status": "ok", "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        return {"status": "error", "error": "unknown request %r" % op}

    def has(self, name):
        return {"status": "ok", "value": callable(self.namespace.get(name))}

    def call(self, name, args, kwargs, return_args=False):
        """Call the student's `name` with wire-encoded args; reply with the wire-encoded result."""
        func = self.namespace.get(name)
        if func is None:
            return {"status": "missing", "message": "`%s` is not defined in the notebook" % name}
        if not callable(func):
            return {"status": "missing", "message": "`%s` is defined but is not a function" % name}
        return self._invoke(func, args, kwargs, return_args)

    def harness(self, name, args, kwargs):
        """Run a procedure of this worker package (e.g. `keras.fit_and_save`) on the student's namespace.

        Harnesses drive student code the way a notebook would (build, train, save a model); they
        hold no expected answers, so they may run next to student code.
        """
        module, _, func = name.partition(".")
        if not (module.isidentifier() and func.isidentifier()):
            return {"status": "error", "error": "bad harness name %r" % name}
        procedure = getattr(importlib.import_module(".harness_" + module, __package__), func)
        return self._invoke(functools.partial(procedure, self.namespace), args, kwargs, False)

    def _invoke(self, func, args, kwargs, return_args):
        try:
            args, kwargs = self.codec.decode(args), self.codec.decode(kwargs)
        except WireError as exc:
            return {"status": "error", "error": "could not receive the arguments: %s" % exc}
        with warnings.catch_warnings(record=True) as caught, _Captured() as printed:
            warnings.simplefilter("always")
            try:
                value = _materialized(func(*args, **kwargs))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                return {"status": "error", "error": _describe(exc)}
        try:
            reply = {"status": "ok", "value": self.codec.encode(value),
                     "args": self.codec.encode(args) if return_args else None}
        except Exception as exc:            # too big, too deep, or a sabotaged object or builtin
            return {"status": "error", "error": "returned a value the grader cannot receive: %s" % exc}
        reply["warnings"] = ["%s: %s" % (w.category.__name__, w.message) for w in caught][:20]
        reply["stdout"], reply["stderr"] = printed.stdout, printed.stderr
        return reply


def _materialized(value):
    """A returned generator or other iterator as the list of what it yields (at most MAX_ITEMS), so an
    answer written with `yield` is graded like one that returns a list; runs under the call's time limit."""
    if not isinstance(value, collections.abc.Iterator):
        return value
    items = list(itertools.islice(value, MAX_ITEMS + 1))
    if len(items) > MAX_ITEMS:
        raise ValueError("the returned iterator yielded more than %d items" % MAX_ITEMS)
    return items


class _Captured:
    """Capture what a call prints, at the Python level and at the file-descriptor level.

    The fd level matters for native libraries (TensorFlow logs on fd 2): in nbgrader's kernel any
    stderr output would zero the test cell.
    """

    def __enter__(self):
        self.files, self.saved, self.redirects = [], [], []
        for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
            try:
                stream.flush()
            except Exception:               # e.g. the output file hit its size limit
                pass
            f = tempfile.TemporaryFile()
            self.files.append(f)
            self.saved.append(os.dup(fd))
            os.dup2(f.fileno(), fd)
        self.py = io.StringIO(), io.StringIO()
        self.redirects = [contextlib.redirect_stdout(self.py[0]), contextlib.redirect_stderr(self.py[1])]
        for r in self.redirects:
            r.__enter__()
        return self

    def __exit__(self, *exc):
        for r in reversed(self.redirects):
            r.__exit__(None, None, None)
        texts = []
        for fd, saved, f, py in zip((1, 2), self.saved, self.files, self.py):
            os.dup2(saved, fd)
            os.close(saved)
            f.seek(0)
            texts.append((py.getvalue() + f.read(MAX_TEXT).decode("utf-8", "replace"))[:MAX_TEXT])
            f.close()
        self.stdout, self.stderr = texts


def _describe(exc):
    """The exception and the student's own frames (notebook cells, wherever they ran), not the worker's.

    Cells are the code whose source sits in linecache without a file (this session's `run_cell`, or
    IPython's kernel), shown as "line N, in f" so that every grader words it the same."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename in linecache.cache and linecache.cache[f.filename][1] is None]
    lines = ["  line %d, in %s\n    %s\n" % (f.lineno, f.name, (f.line or "").strip()) for f in frames[-5:]]
    try:
        head = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    except BaseException:
        head = type(exc).__name__
    return (head + ("\n" + "".join(lines).rstrip() if lines else ""))[:MAX_TEXT]
