"""Scan a folder meant for students (released notebooks, compiled checks, runtime) for grader secrets.

`scan(folder)` returns one human-readable finding per leak (an empty list means clean):

1. hidden item ids, as whole words;
2. hidden input values: random-looking floats passed to the student's functions by hidden items
   (their full repr, or an array's base64 as the wire codec sends it);
3. suite source lines (>= 40 non-space characters);
4. reference helpers: `def ref_` or a call `ref_<name>(` of a suite's helper;
5. solution lines (>= 25 non-space characters between BEGIN/END SOLUTION).

Text the course hands out anyway (`public_text`: the solution notebooks outside their SOLUTION and
HIDDEN TESTS regions) is never a finding for 1, 3 and 5.

Needs numpy only: suites are read as source (the 07 suite starts importing Keras when imported),
and the hidden inputs are recorded by running 01–06 against their solutions in this process.
"""
import ast
import base64
import contextlib
import functools
import io
import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "autograder" / "suites"
SOLUTIONS = ROOT / "solutions"
SKIP_VALUES = {"07_keras_mnist"}       # needs TensorFlow; its hidden inputs are MNIST digits, not floats
MIN_SUITE_LINE, MIN_SOLUTION_LINE, MIN_DIGITS = 40, 25, 8
_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def scan(folder, assignments=None):
    """Findings ("<file>: <what>") for every text file under `folder`; [] when nothing leaks."""
    from autograder.items import assignment_ids
    assignments = list(assignments or assignment_ids())
    folder = Path(folder)
    findings = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = _read_text(path)
        if text is None:
            continue
        name = str(path.relative_to(folder))
        findings += ["%s: %s" % (name, f) for f in _scan_text(text, assignments)]
    return findings


def _scan_text(text, assignments):
    found = []
    for assignment in assignments:
        for ident in hidden_ids(assignment):
            if re.search(r"\b%s\b" % re.escape(ident), text):
                found.append("hidden item id %r (%s)" % (ident, assignment))
        for line in _suite_lines(assignment):
            if line in text:
                found.append("line of %s/items.py: %r" % (assignment, line))
        for line in _solution_lines(assignment):
            if line in text:
                found.append("solution line of %s: %r" % (assignment, line))
        for helper in _ref_helpers(assignment):
            if re.search(r"\b%s\s*\(" % re.escape(helper), text):
                found.append("reference helper %s( of %s/items.py" % (helper, assignment))
        if assignment not in SKIP_VALUES:
            numbers = set(_NUMBER.findall(text))
            numbers |= {n.lstrip("-") for n in numbers}
            for ident, kind, form in hidden_values(assignment):
                if (form in numbers) if kind == "value" else (form in text):
                    found.append("hidden input of %s/%s (%s): %s" % (assignment, ident, kind, form[:60]))
    if re.search(r"\bdef\s+ref_", text):
        found.append("a reference helper definition (def ref_...)")
    return list(dict.fromkeys(found))


def _read_text(path):
    """The file as text (plus, for JSON, its decoded strings, so escaping hides nothing); None if binary."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    text = data.decode("utf-8", errors="replace")
    if path.suffix in (".ipynb", ".json"):
        try:
            text += "\n" + "\n".join(_strings(json.loads(text)))
        except ValueError:
            pass
    return text


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield key
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


# -- what the secrets are ------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _suite(assignment):
    path = SUITES / assignment / "items.py"
    return path.read_text(encoding="utf-8"), ast.parse(path.read_text(encoding="utf-8"))


def _is_visible(func):
    """Declared `@item(..., visible=True)`."""
    return any(isinstance(d, ast.Call) and any(k.arg == "visible" and getattr(k.value, "value", False) is True
                                               for k in d.keywords) for d in func.decorator_list)


def _nonblank(line):
    return len("".join(line.split()))


@functools.lru_cache(maxsize=None)
def _solution_notebook(assignment):
    """(solution lines, public lines) of a solution notebook, stripped. Solution lines lie between
    BEGIN/END SOLUTION; public lines are those outside SOLUTION and HIDDEN TESTS regions (nbgrader
    strips these on release), in code and markdown cells alike: what the course hands out."""
    cells = json.loads((SOLUTIONS / assignment / ("%s.ipynb" % assignment)).read_text(encoding="utf-8"))["cells"]
    solution, public, region = {}, {}, None
    for cell in cells:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for line in source.splitlines():
            s = line.strip()
            if s.startswith(("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")):
                region = s.split()[2]
            elif s.startswith(("### END SOLUTION", "### END HIDDEN TESTS")):
                region = None
            elif region == "SOLUTION":
                solution[s] = None
            elif region is None:
                public[s] = None
    return tuple(solution), tuple(public)


@functools.lru_cache(maxsize=None)
def public_text():
    """All the public lines of all the solution notebooks: text that is no leak anywhere.

    Later notebooks hand out earlier solutions (03 gives `sigmoid`) and the code the suites rebuild
    (04's data set, 03's loss), and an item may be named after the function it grades (01's hidden
    `circle_features` checks the student's `circle_features`).
    """
    from autograder.items import assignment_ids
    return "\n".join(line for a in assignment_ids() for line in _solution_notebook(a)[1])


@functools.lru_cache(maxsize=None)
def hidden_ids(assignment):
    """Ids of the assignment's hidden items (not declared visible) that the public text does not use.

    Read from the suite's source: importing the 07 suite starts importing Keras.
    """
    return tuple(node.name[5:] for node in _suite(assignment)[1].body
                 if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and not _is_visible(node)
                 and not re.search(r"\b%s\b" % re.escape(node.name[5:]), public_text()))


@functools.lru_cache(maxsize=None)
def _suite_lines(assignment):
    lines = dict.fromkeys(line.strip() for line in _suite(assignment)[0].splitlines())
    return tuple(s for s in lines if _nonblank(s) >= MIN_SUITE_LINE and s not in public_text())


@functools.lru_cache(maxsize=None)
def _ref_helpers(assignment):
    """The reference helpers a suite defines or imports (`autograder/suites/references.py`)."""
    tree = _suite(assignment)[1]
    defined = [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    imported = [alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names]
    return tuple(name for name in defined + imported if name.startswith("ref_"))


@functools.lru_cache(maxsize=None)
def _solution_lines(assignment):
    return tuple(s for s in _solution_notebook(assignment)[0]
                 if _nonblank(s) >= MIN_SOLUTION_LINE and s not in public_text())


def _solution_cells(assignment):
    from autograder.engine.notebook import code_cells, read_submission
    return code_cells(read_submission(SOLUTIONS / assignment / ("%s.ipynb" % assignment), 20))


# -- hidden inputs, recorded by running the hidden items against the solution -----------------------
def _spy_class():
    from autograder.worker.namespace import LocalNamespace

    class SpyNamespace(LocalNamespace):
        """Runs the solution in this process and records every argument the grader passes to it."""

        item = None

        def __init__(self, namespace):
            super().__init__(namespace)
            self.recorded = []          # (item id, value)

        def _record(self, args, kwargs):
            for value in _floats(list(args) + list(kwargs.values())):
                self.recorded.append((self.item, value))

        def inspect(self, name, *args, **kwargs):
            self._record(args, kwargs)
            return super().inspect(name, *args, **kwargs)

        def harness(self, name, *args, **kwargs):
            self._record(args, kwargs)
            return super().harness(name, *args, **kwargs)

    return SpyNamespace


def _floats(value, depth=0):
    """Float arrays and floats inside a (nested) argument, copied as they were when passed."""
    if depth > 32:
        return
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        yield value.copy()
    elif isinstance(value, (float, np.floating)):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _floats(v, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _floats(v, depth + 1)


def _shortest(x):
    """The shortest repr that round-trips in x's own precision ('0.1' for float32 0.1, not '0.10000000149...')."""
    return str(x) if isinstance(x, np.floating) and x.dtype != np.float64 else repr(float(x))


def _random_looking(x):
    return np.isfinite(x) and len(_shortest(x).lstrip("-").split("e")[0].replace(".", "").strip("0")) >= MIN_DIGITS


def _forms(value):
    """The full reprs of a value's random-looking floats, and an array's base64 as the codec sends it."""
    picked = [x for x in np.asarray(value).ravel() if _random_looking(x)]
    forms = {("value", repr(float(x))) for x in picked} | {("value", _shortest(x)) for x in picked}
    if isinstance(value, np.ndarray) and picked:
        forms.add(("base64", base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")))
    return forms


@contextlib.contextmanager
def _grading_environment():
    saved = {k: os.environ.get(k) for k in ("NBGRADER_EXECUTION", "MPLBACKEND")}
    os.environ.update(NBGRADER_EXECUTION="autograde", MPLBACKEND="Agg")
    try:
        with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch), \
                contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@functools.lru_cache(maxsize=None)
def hidden_values(assignment):
    """(item id, kind, text) of the hidden items' inputs written out: kind "value" (a float's full repr,
    matched as a whole number) or "base64" (an array's bytes, matched as a substring).

    Values that a visible item also passes are public by design and left out.
    """
    from autograder.items import load_items, run_item
    namespace = {"__name__": "__main__"}
    with _grading_environment():
        for index, source in _solution_cells(assignment):
            exec(compile(source, "<cell %d>" % index, "exec"), namespace)
        spy = _spy_class()(namespace)
        for item in load_items(assignment):
            spy.item = item
            run_item(item, spy)
    public = {f for item, v in spy.recorded if item.visible for f in _forms(v)}
    return tuple(dict.fromkeys((item.id,) + f for item, v in spy.recorded if not item.visible
                               for f in sorted(_forms(v) - public)))
