"""Hostile and broken submissions of 01_sigmoid: each gets exactly its expected score and messages,
learns nothing hidden, harms nothing, and every other student is graded normally.

Every case is built at test time from the reference notebook (full marks) by one small mutation: a
cell replaced, inserted, deleted or retyped, the metadata or the raw bytes edited. `CASES` is the
table: id, how to build it, the items it loses (hence its exact score), and regexes that must all be found in what
the student is told (the notes and item messages, without the "Protections:" note; `NOTHING`
means nothing at all is reported). Cases that try to read hidden files list what must not leak
into anything the student sees (output, notes, messages).

Cases are graded in groups, each by one `grade_class` run next to four untouched students (the
reference and the bug-overflow sample, before and after the attackers in grading order), which
must keep their expected scores. Groups: "main" (fast cases, jobs=2), "timed" (cases that sit out a 10 s time
limit, run in parallel), and, each in a separate `grade_class` process started with a canary in
its environment: "grader-env" (reads the grading process's environment), "grader-kill" (kills the
grading process) and "fork-bomb" (alone, last, inside a pids cgroup as a safety net).

Function-level attacks redefine the function in a cell appended at the end of the notebook, so
they fire only when the grader calls the function, not in the notebook's own plotting cells.
"""
import contextlib
import hashlib
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
import pytest

from autograder.workflows.classgrade import grade_class, load_results
from autograder.course import ROOT
from autograder.items import cell_id, load_items

from .fixtures import SAMPLE_CLASS, expected_score, full_marks

REFERENCE = SAMPLE_CLASS / "01_sigmoid" / "reference.ipynb"
BUG_OVERFLOW = SAMPLE_CLASS / "01_sigmoid" / "bug-overflow.ipynb"
A = "01_sigmoid"
SENTINELS = {"aaa-reference": REFERENCE, "aaa-bug-overflow": BUG_OVERFLOW,
             "zzz-reference": REFERENCE, "zzz-bug-overflow": BUG_OVERFLOW}
# What a case loses: the items of the function it breaks (and of the items that build on them).
NONE, ALL = (), ("*",)
SIGMOID = ("sigmoid_values", "sigmoid_shapes", "sigmoid_extreme", "sigmoid_prime_values", "and_table")
RELU, RELU_PRIME, CIRCLE = ("relu_values", "relu_prime_values"), ("relu_prime_values",), ("circle_rule",)
NOTHING = r"\A\Z"
SUITE = ROOT / "autograder" / "suites" / "01_sigmoid" / "items.py"
SOLUTION = ROOT / "solutions" / "01_sigmoid" / "01_sigmoid.ipynb"
GRADEBOOK = ROOT / "gradebook.db"
CONFIG = ROOT / "grading_config.py"
OUTPUT_CAP = 20_000 + len("\n[... output truncated]")
PIDS_CGROUPS = Path("/sys/fs/cgroup/pids")


@dataclass
class Context:
    """What a group's submissions may aim at, and what the checks compare against afterwards."""
    folder: Path            # the group's class folder: submitted/ and reports/
    other: str              # another student's notebook in the same run
    canary: str             # value of HOSTILE_CANARY in the environment of isolated groups' graders
    tmp_name: str           # a file a submission tries to plant in the machine's /tmp
    tag: str                # marks a background process a submission tries to leave running
    listener: socket.socket  # a port open on this machine's loopback
    config_digest: str      # grading_config.py before grading

    @property
    def port(self):
        return self.listener.getsockname()[1]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable          # ctx -> bytes of the submitted .ipynb
    lost: tuple              # the items it loses (ALL: every item)
    messages: tuple          # regexes, all searched in notes + item messages
    group: str = "main"
    secrets: Callable = None  # ctx -> strings that must appear nowhere the student sees
    check: Callable = None    # (result, ctx) -> None, extra assertions


# -- building submissions -----------------------------------------------------------------------

def _reference():
    return nbformat.read(REFERENCE, as_version=4)


def _at(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _text(source, ctx):
    return source(ctx) if callable(source) else source


def notebook(mutate):
    """Builder: the reference, changed in place by `mutate(nb, ctx)`, saved as nbformat 4."""
    def build(ctx):
        nb = _reference()
        mutate(nb, ctx)
        return nbformat.writes(nb).encode()
    return build


def raw(mutate):
    """Builder: the reference's bytes, transformed by `mutate(data, ctx)`."""
    return lambda ctx: mutate(REFERENCE.read_bytes(), ctx)


def add_cell(source, after=None):
    """A new code cell after the cell with grade_id `after`, or at the end (str or ctx -> str)."""
    def mutate(nb, ctx):
        at = len(nb.cells) if after is None else _at(nb, after) + 1
        nb.cells.insert(at, nbformat.v4.new_code_cell(_text(source, ctx)))
    return notebook(mutate)


def set_source(grade_id, source):
    def mutate(nb, ctx):
        nb.cells[_at(nb, grade_id)].source = _text(source, ctx)
    return notebook(mutate)


def delete_cell(grade_id):
    return notebook(lambda nb, ctx: nb.cells.pop(_at(nb, grade_id)))


def to_markdown(grade_id):
    def mutate(nb, ctx):
        i = _at(nb, grade_id)
        nb.cells[i] = nbformat.v4.new_markdown_cell(nb.cells[i].source, metadata=nb.cells[i].metadata)
    return notebook(mutate)


def set_metadata(grade_id, **changes):
    def mutate(nb, ctx):
        nb.cells[_at(nb, grade_id)].metadata.nbgrader.update(changes)
    return notebook(mutate)


def read_file(path):
    """A top-level cell printing a file (path: ctx -> str)."""
    return add_cell(lambda ctx: "path = %r\nprint('LEAK', path)\nwith open(path, encoding='utf-8', "
                                "errors='replace') as f:\n    print(f.read())" % str(path(ctx)), after="imports")


def redefine(source):
    """Redefine graded functions in a cell at the very end (fires only when the grader calls them)."""
    return add_cell(source)


def _oversized(ctx):
    """About 100 MB of stored output in the plotting cell (a notebook that was never cleared)."""
    nb = json.loads(REFERENCE.read_text())
    plot = next(c for c in nb["cells"] if c["cell_type"] == "code" and "nbgrader" not in c["metadata"])
    plot["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "0123456789abcdef" * (100 * 2**16)}]
    return json.dumps(nb).encode()


def _nbformat3(ctx):
    return nbformat.writes(nbformat.convert(_reference(), 3), version=3).encode()


def _strip_nbgrader(nb, ctx):
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)


def _unlock_imports(nb, ctx):
    cell = nb.cells[_at(nb, "imports")]
    cell.metadata = {}
    cell.source += "\nprint('UNLOCKED')"


def _unmark_test_cell(nb, ctx):
    cell = nb.cells[_at(nb, "sigmoid_values")]
    cell.metadata.nbgrader.update(grade=False, locked=False)
    cell.source = "sigmoid = None   # no longer a test cell: now it is my code"


def move_to_end(grade_id):
    def mutate(nb, ctx):
        nb.cells.append(nb.cells.pop(_at(nb, grade_id)))
    return notebook(mutate)


def duplicate(grade_id):
    def mutate(nb, ctx):
        i = _at(nb, grade_id)
        copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[i])))
        copy.id = "duplicate"
        nb.cells.insert(i + 1, copy)
    return notebook(mutate)


# -- what the attacks run -------------------------------------------------------------------------

ZEROS_SIGMOID = "def sigmoid(z):\n    return np.zeros(np.shape(z))\n"

FIND_GRADER = """\
import os
zygote = os.getppid()
with open("/proc/%d/cmdline" % zygote, "rb") as f:
    if b"zygote" not in f.read():
        raise ProcessLookupError("my parent is not the zygote")
with open("/proc/%d/stat" % zygote) as f:
    grader = int(f.read().rsplit(")", 1)[1].split()[1])
if grader <= 1:
    raise ProcessLookupError("the grading process is outside my PID namespace")
"""

LIAR = """\
class Liar:
    \"\"\"Equal to anything, true, a float, an array: whatever the grader might ask.\"\"\"
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __float__(self): return 0.5
    def __len__(self): return 5
    def __array__(self, dtype=None, copy=None): return np.full(5, 0.5)
    __hash__ = object.__hash__

def sigmoid(z):
    return Liar()
"""

AGREEABLE = """\
class Agreeable(np.ndarray):
    \"\"\"An ndarray subclass that claims to equal everything.\"\"\"
    def __eq__(self, other): return np.ones(np.shape(other), bool)
    def __ne__(self, other): return np.zeros(np.shape(other), bool)
    def __array_ufunc__(self, *args, **kwargs): return True

def sigmoid(z):
    return np.zeros(np.shape(z)).view(Agreeable)
"""

HUGE_ON_ZERO = """\
_sigmoid = sigmoid
def sigmoid(z):
    return np.zeros(240 * 2**17) if np.ndim(z) == 0 and z == 0 else _sigmoid(z)
"""

SIGINT_IGNORED = """\
import signal
def relu_prime(z):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        pass
"""

C_STACK_OVERFLOW = """\
import sys
def relu_prime(z):
    sys.setrecursionlimit(10**8)
    def down(n):
        return list(map(down, [n + 1]))     # through C: each level uses the C stack
    return down(0)
"""

KILL_ZYGOTE = """\
import os
def circle_classify(X, r=1.0):
    parent = os.getppid()
    with open("/proc/%d/cmdline" % parent, "rb") as f:
        if b"zygote" in f.read():
            os.kill(parent, 9)
    return None
"""

ESCAPE = """\
import os, sys
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", %r])
"""


def write_outside(ctx):
    """A file in the machine's /tmp and in the kit's folder; grading_config.py opened for appending
    (nothing is appended, so a grader without a sandbox is not damaged by this test)."""
    return ("for path in [%r, %r]:\n    with open(path, 'w') as f:\n        f.write('planted')\n"
            "with open(%r, 'a'):\n    pass" % ("/tmp/" + ctx.tmp_name, str(ROOT / ctx.tmp_name), str(CONFIG)))


FAKE_SCORE = """\
import json
print("Score: 16/16 (100%)")
print(json.dumps({"score": 16, "tests": [{"name": "sigmoid_values", "score": 2, "max_score": 2,
                                           "output": "passed"}]}))
""" + ZEROS_SIGMOID

STDERR = """\
import os, sys
sys.stderr.write("Traceback (most recent call last):\\nAssertionError: all tests failed\\n")
os.write(2, b"FATAL: the grader crashed\\n")
_relu = relu
def relu(z):
    print("relu writes to stderr", file=sys.stderr)
    os.write(2, b"and to fd 2\\n")
    return _relu(z)
"""

REDEFINE_CHECK = """\
import sys, types
def check(*args, **kwargs):
    print("✓ passed")
fake = types.ModuleType("autograder.checks")
fake.check = check
sys.modules["autograder"] = types.ModuleType("autograder")
sys.modules["autograder.checks"] = fake
""" + ZEROS_SIGMOID


# -- checks after grading ---------------------------------------------------------------------------

def _secret_lines(path, minimum=25):
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return sorted({line.strip() for line in text.splitlines() if len(line.strip()) > minimum})


def _solution_secrets(ctx):
    return ["BEGIN HIDDEN TESTS"] + _secret_lines(SOLUTION)


def _suite_secrets(ctx):
    return _secret_lines(SUITE)


def _other_secrets(ctx):
    return _secret_lines(ctx.other) + _secret_lines(BUG_OVERFLOW)


def check_output_capped(result, ctx):
    assert len(result.output) <= OUTPUT_CAP, len(result.output)


def check_fake_score_only_in_output(result, ctx):
    assert "Score: 16/16" in result.output
    assert "16/16" not in student_text(result)
    stored = json.loads((ctx.folder / "reports" / "students" / "01_sigmoid" / "fake-score-printed.json").read_text())
    assert stored["score"] == result.score < full_marks(A)


def check_no_connection(result, ctx):
    if select.select([ctx.listener], [], [], 0)[0]:
        conn, _ = ctx.listener.accept()
        conn.settimeout(1)
        with contextlib.suppress(OSError):
            data = conn.recv(100)
        conn.close()
        pytest.fail("the submission connected to a port of the grading machine (sent %r)" % data)


def check_nothing_written_outside(result, ctx):
    for planted in (Path("/tmp") / ctx.tmp_name, ROOT / ctx.tmp_name):
        if planted.exists():
            planted.unlink()
            pytest.fail("the submission created %s on the grading machine" % planted)
    assert hashlib.sha256(CONFIG.read_bytes()).hexdigest() == ctx.config_digest, "grading_config.py changed"


def _tagged_processes(tag):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if tag.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def _kill(pids):
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def check_no_process_left(result, ctx):
    left = _tagged_processes(ctx.tag)
    _kill(left)
    assert not left, "a background process the submission started outlived its grading: %s" % left


# -- the table ----------------------------------------------------------------------------------

CANT_READ = r"Cell \d+ failed when run: (FileNotFoundError|PermissionError|ProcessLookupError|OSError)"
NOT_DEFINED = "`%s` is not defined in the notebook"
RESTORED = r"%s\W[^\n]*was %s[^\n]*restored"

SHAPES_CELL = cell_id("01_sigmoid", "sigmoid_shapes", False)     # a hidden item's test cell
CASES = [
    # Files that are not gradable notebooks: zero, with a note saying why.
    Case("malformed-json", raw(lambda d, ctx: d[: len(d) // 2]), ALL,
         (r"Not graded: the file is not a readable notebook \(NotJSONError",)),
    Case("empty-file", raw(lambda d, ctx: b""), ALL, (r"Not graded: the file is not a readable notebook",)),
    Case("not-utf8", raw(lambda d, ctx: d.replace("01 — Neurons".encode(), b"01 \x97 Neurons")), ALL,
         (r"Not graded: the file is not UTF-8 text",)),
    Case("utf16", raw(lambda d, ctx: d.decode("utf-8").encode("utf-16")), ALL,
         (r"Not graded: the file is not UTF-8 text",)),
    Case("over-20mb", _oversized, ALL, (r"Not graded: the notebook is 100 MB, over the 20 MB limit",)),
    Case("json-list", raw(lambda d, ctx: b"[]"), ALL, (r"Not graded: the file is not a readable notebook",)),
    Case("json-nested-100k-deep", raw(lambda d, ctx: b"[" * 100_000 + b"]" * 100_000), ALL,
         (r"Not graded: the file is not a readable notebook \(RecursionError",)),
    Case("nbformat-5", raw(lambda d, ctx: json.dumps(dict(json.loads(d), nbformat=5)).encode()), ALL,
         (r"Not graded: the file is not a readable notebook \(NBFormatError: Unsupported nbformat version 5",)),
    Case("schema-invalid", raw(lambda d, ctx: d.replace(b'"cell_type": "markdown"', b'"cell_type": "rocket"', 1)), ALL,
         (r"Not graded: the notebook does not follow the notebook format",)),

    # Format and metadata.
    Case("nbformat-3", _nbformat3, NONE, (NOTHING,)),
    Case("kernelspec-bash", notebook(lambda nb, ctx: nb.metadata.update(
        kernelspec={"name": "bash", "display_name": "Bash", "language": "bash"}, language_info={"name": "bash"})),
        NONE, (NOTHING,)),
    Case("no-cells", notebook(lambda nb, ctx: nb.cells.clear()), ALL,
         (RESTORED % ("imports", "deleted"), NOT_DEFINED % "sigmoid")),
    Case("no-nbgrader-metadata", notebook(_strip_nbgrader), NONE,
         (RESTORED % ("imports", "deleted"),)),

    # Cells deleted, duplicated, reordered, retyped.
    Case("solution-deleted", delete_cell("relu"), RELU,
         (NOT_DEFINED % "relu", NOT_DEFINED % "relu_prime")),
    Case("solution-duplicated", duplicate("sigmoid"), NONE, (NOTHING,)),
    Case("solution-moved-to-end", move_to_end("sigmoid"), NONE,
         (r"Cell \d+ failed when run: NameError: name 'sigmoid' is not defined",)),
    Case("solution-to-markdown", to_markdown("sigmoid"), SIGMOID, (NOT_DEFINED % "sigmoid",)),

    # Protected cells: put back as released, and the student is told.
    Case("locked-edited", set_source("imports", "import numpy as np\nimport matplotlib.pyplot as plt\n"
                                                "np.exp = lambda z: 0 * z"), NONE,
         (RESTORED % ("imports", "modified"),)),
    Case("locked-deleted", delete_cell("imports"), NONE, (RESTORED % ("imports", "deleted"),)),
    Case("locked-to-markdown", to_markdown("imports"), NONE, (RESTORED % ("imports", "(modified|deleted)"),)),
    Case("locked-unlocked", notebook(_unlock_imports), NONE, (RESTORED % ("imports", "(modified|deleted)"),)),
    Case("test-cell-edited", set_source("sigmoid_values", "sigmoid = lambda z: 0.0"), NONE,
         (RESTORED % ("sigmoid_values", "modified"),)),
    Case("test-cell-deleted", delete_cell(SHAPES_CELL), NONE, (RESTORED % (SHAPES_CELL, "deleted"),)),
    Case("test-cell-unmarked", notebook(_unmark_test_cell), NONE,
         (RESTORED % ("sigmoid_values", "(modified|deleted)"),)),
    Case("test-cell-points-1000", set_metadata("and_table", points=1000), NONE, (NOTHING + "|was modified",)),

    # Time, memory, exits, crashes.
    Case("while-true-top-level", add_cell("while True:\n    pass", after="sigmoid"), NONE,
         (r"Cell \d+ failed when run: the cell ran longer than 10 s and was interrupted",), group="timed"),
    Case("sigint-ignored", redefine(SIGINT_IGNORED), RELU_PRIME,
         (r"`relu_prime` did not finish within the time limit",), group="timed"),
    Case("input-call", add_cell("name = input('Your name: ')", after="imports"), NONE,
         (r"Cell \d+ failed when run: .*(interrupted|EOFError|stdin|input)",), group="timed"),
    Case("memory-bomb-top-level", add_cell("hog = bytearray(10**10)", after="imports"), NONE,
         (r"Cell \d+ failed when run: MemoryError",)),
    Case("memory-bomb-in-sigmoid", redefine("def sigmoid(z):\n    return np.ones(10**10)"), SIGMOID,
         (r"`sigmoid` raised an error:\n\S*(MemoryError|Unable to allocate)",)),
    Case("sys-exit-top-level", add_cell("import sys\nsys.exit()", after="sigmoid"), NONE,
         (r"Cell \d+ failed when run: SystemExit\(None\): the cell called sys.exit\(\)",)),
    Case("sys-exit-in-function", redefine("import sys\ndef relu_prime(z):\n    sys.exit(0)"), RELU_PRIME,
         (r"`relu_prime` raised an error:\nSystemExit",)),
    # The process dies again on every restart (as nbgrader's kernel would): nothing can be graded.
    Case("os-exit-top-level", add_cell("import os\nos._exit(0)"), ALL,
         (r"Cell \d+ failed when run: the notebook's process died", r"restarted 2 times already")),
    Case("os-exit-in-function", redefine("import os\ndef relu_prime(z):\n    os._exit(0)"), RELU_PRIME,
         (r"died while running `relu_prime`: the process exited with status 0",)),
    Case("c-stack-overflow", redefine(C_STACK_OVERFLOW), RELU_PRIME,
         (r"died while running `relu_prime`: the process killed by signal SIGSEGV",)),
    Case("recursion-top-level", add_cell("def forever(n):\n    return forever(n + 1)\nforever(0)", after="sigmoid"),
         NONE, (r"Cell \d+ failed when run: RecursionError",)),
    Case("recursion-in-sigmoid", redefine("def sigmoid(z):\n    return sigmoid(z)"), SIGMOID,
         (r"`sigmoid` raised an error:\nRecursionError",)),
    # Kills the worker's parent, then returns None: circle_rule fails whether or not the worker
    # survives its parent; the students graded after it by the same grading process must not notice.
    Case("kill-zygote", redefine(KILL_ZYGOTE), CIRCLE, (r"`circle_classify`",)),
    Case("daemon-thread-spinning", add_cell("import threading\ndef spin():\n    while True:\n        pass\n"
                                            "threading.Thread(target=spin, daemon=True).start()"), NONE, (NOTHING,)),
    Case("background-process", add_cell(lambda ctx: ESCAPE % ctx.tag), NONE, (NOTHING,),
         check=check_no_process_left),

    # What crosses the wire: only data, within limits.
    Case("return-1gb", redefine("def sigmoid(z):\n    return np.ones(2**27)"), SIGMOID,
         (r"`sigmoid` raised an error:\nreturned a value the grader cannot receive: value is larger than the 256 MB",)),
    # Just under the 256 MB wire limit (about 320 MB as base64), for one case of one item: it is received and judged
    # like any wrong answer, or, on a loaded machine, the crossing outlasts the 10 s call limit. The reply cap
    # itself is test_worker's.
    Case("return-240mb", redefine(HUGE_ON_ZERO), ("sigmoid_values",),
         (r"`sigmoid` (on the scalar 0\.0: expected shape \(\), got array of shape \(31457280,\)"
          r"|did not finish within the time limit)",), group="timed"),
    Case("eq-always-true", redefine(LIAR), SIGMOID, (r"expected a number or numpy array, got a \S*Liar object",)),
    Case("ndarray-subclass", redefine(AGREEABLE), SIGMOID,
         (r"expected a number or numpy array, got a \S*Agreeable object",)),
    Case("returns-generator", redefine("def sigmoid(z):\n    return (v for v in np.ravel(z))"), SIGMOID,
         (r"expected a number or numpy array, got a list",)),
    Case("returns-dict", redefine("def sigmoid(z):\n    return {'sigmoid': 1 / (1 + np.exp(-np.asarray(z)))}"),
         SIGMOID, (r"expected a number or numpy array, got a dict",)),
    Case("nan-everywhere", redefine("def sigmoid(z):\n    return np.full(np.shape(z), np.nan)"), SIGMOID,
         (r"got nan at index .* non-finite values",)),
    Case("repr-recursion", redefine("class Loop:\n    def __repr__(self):\n        return repr(self)\n"
                                    "def sigmoid(z):\n    return Loop()"), SIGMOID, (r"got a \S*Loop object",)),
    Case("del-sigmoid", redefine("del sigmoid"), SIGMOID, (NOT_DEFINED % "sigmoid",)),
    Case("huge-print-100mb", add_cell("chunk = 'x' * 2**20\nfor _ in range(100):\n    print(chunk)", after="imports"),
         NONE, (NOTHING + r"|Cell \d+ failed when run: OSError: \[Errno 27\] File too large",),
         check=check_output_capped),

    # Tampering with the grader from inside: comparisons happen in the grading process.
    Case("monkeypatch-numpy", redefine("np.allclose = np.isclose = np.array_equal = lambda *a, **k: True\n"
                                       + ZEROS_SIGMOID), SIGMOID, (r"`sigmoid` on .* values are wrong",)),
    Case("monkeypatch-builtins", redefine("import builtins\nbuiltins.isinstance = lambda obj, cls: True\n"
                                          "builtins.issubclass = lambda a, b: True"), NONE, (NOTHING,)),
    Case("import-autograder", redefine("import autograder.items\nautograder.items.run_item = lambda *a: None"),
         NONE, (r"Cell \d+ failed when run: ModuleNotFoundError: No module named 'autograder'",)),
    Case("redefine-check", redefine(REDEFINE_CHECK), SIGMOID, (r"`sigmoid` on .* values are wrong",)),
    Case("fake-score-printed", redefine(FAKE_SCORE), SIGMOID, (r"`sigmoid` on .* values are wrong",),
         check=check_fake_score_only_in_output),
    Case("stderr-writes", redefine(STDERR), NONE, (NOTHING,)),
    Case("shell-magic", add_cell("!cat %s\n%%time x = 1" % SUITE, after="imports"), NONE, (NOTHING,),
         secrets=_suite_secrets),

    # Reading what the grader hides, the network, writing outside the scratch folder.
    Case("read-solutions", read_file(lambda ctx: SOLUTION), NONE, (CANT_READ,), secrets=_solution_secrets),
    Case("read-suite", read_file(lambda ctx: SUITE), NONE, (CANT_READ,), secrets=_suite_secrets),
    Case("read-suite-in-error", redefine("def sigmoid(z):\n    with open(%r) as f:\n"
                                         "        raise RuntimeError(f.read())" % str(SUITE)), SIGMOID,
         (r"`sigmoid` raised an error:\n(FileNotFoundError|PermissionError)",), secrets=_suite_secrets),
    Case("read-gradebook", read_file(lambda ctx: GRADEBOOK), NONE, (CANT_READ,),
         secrets=lambda ctx: ["SQLite format 3", "CREATE TABLE"]),
    Case("read-other-students", add_cell(lambda ctx: "for path in [%r, %r]:\n    print(open(path).read())"
                                         % (ctx.other, str(BUG_OVERFLOW)), after="imports"), NONE, (CANT_READ,),
         secrets=_other_secrets),
    Case("import-suite-from-repo", add_cell("import importlib, inspect, sys\nsys.path.insert(0, %r)\n"
                                            "suite = importlib.import_module('autograder.suites.01_sigmoid.items')\n"
                                            "print(inspect.getsource(suite))" % str(ROOT), after="imports"), NONE,
         (r"Cell \d+ failed when run: ModuleNotFoundError: No module named 'autograder(\.suites)?'",),
         secrets=_suite_secrets),
    Case("read-grader-environment", add_cell(FIND_GRADER + "with open('/proc/%d/environ' % grader, 'rb') as f:\n"
                                             "    print([v for v in f.read().split(b'\\0') if b'HOSTILE' in v])"),
         NONE, (CANT_READ,), group="grader-env", secrets=lambda ctx: [ctx.canary]),
    Case("network", add_cell(lambda ctx: "import socket\ns = socket.create_connection(('127.0.0.1', %d), timeout=3)\n"
                                         "s.sendall(b'exfiltrated')\nprint('CONNECTED')" % ctx.port, after="imports"),
         NONE, (r"Cell \d+ failed when run: (ConnectionRefusedError|OSError|PermissionError|TimeoutError)",),
         check=check_no_connection),
    Case("write-outside-scratch", add_cell(write_outside, after="imports"), NONE, (NOTHING + "|" + CANT_READ,),
         check=check_nothing_written_outside),

    # Alone: they take down processes.
    Case("kill-grading-process", add_cell(FIND_GRADER + "os.kill(grader, 9)"), NONE, (CANT_READ,),
         group="grader-kill"),
    # In circle_classify, the last item called, so no later call can be confused by the children.
    Case("fork-bomb", redefine("import os\ndef circle_classify(X, r=1.0):\n    while True:\n        os.fork()"),
         CIRCLE, (r"`circle_classify`",), group="fork-bomb"),
]

JOBS = {"main": 2, "timed": 4, "grader-env": 2, "grader-kill": 2, "fork-bomb": 2}
ISOLATED = {"grader-env", "grader-kill", "fork-bomb"}


# -- grading the groups ---------------------------------------------------------------------------

def student_text(result):
    """Everything the student is told besides the output: notes (not the protections) and item messages."""
    notes = [n for n in result.notes if "Protections: " not in n]
    return "\n".join(notes + [i.message for i in result.items if i.message])


def _write(folder, student, data):
    dest = folder / "submitted" / student / "01_sigmoid"
    dest.mkdir(parents=True)
    (dest / "01_sigmoid.ipynb").write_bytes(data)
    return dest / "01_sigmoid.ipynb"


@contextlib.contextmanager
def _pids_cgroup(max_pids):
    """A pids cgroup (v1) to start a process tree in, as a safety net; yields a preexec_fn or None."""
    group = PIDS_CGROUPS / ("hostile-test-%d" % os.getpid())
    try:
        group.mkdir(exist_ok=True)
        (group / "pids.max").write_text(str(max_pids))
    except OSError:
        yield None
        return
    try:
        yield lambda: (group / "cgroup.procs").write_text(str(os.getpid()))
    finally:
        for _ in range(50):
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
            if not pids:
                break
            _kill(pids)                     # only what this test started in there
            time.sleep(0.1)
        with contextlib.suppress(OSError):
            group.rmdir()


def _grade_isolated(folder, jobs, canary, need_pids_limit):
    """grade_class in a separate process (a canary in its environment), inside a pids cgroup if we can."""
    code = ("from autograder.workflows.classgrade import grade_class\n"
            "grade_class(%r, %r, jobs=%d, progress=False)" % (str(folder / "submitted"), str(folder / "reports"), jobs))
    with _pids_cgroup(1024) as join:
        if join is None and need_pids_limit:
            pytest.skip("no pids cgroup to contain a fork bomb on this machine")
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, preexec_fn=join, timeout=300,
                       env=dict(os.environ, PYTHONPATH=str(ROOT), HOSTILE_CANARY=canary),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return load_results(folder / "reports")


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """`get(group)` → ({student: NotebookResult}, Context): the group graded once, with its sentinels."""
    done, contexts = {}, []

    def get(group):
        if group not in done:
            folder = tmp_path_factory.mktemp("hostile-" + group)
            listener = socket.create_server(("127.0.0.1", 0))
            ctx = Context(folder, str(folder / "submitted" / "aaa-bug-overflow" / "01_sigmoid" / "01_sigmoid.ipynb"),
                          "canary-" + uuid.uuid4().hex, "hostile-" + uuid.uuid4().hex, "hostile-" + uuid.uuid4().hex,
                          listener, hashlib.sha256(CONFIG.read_bytes()).hexdigest())
            contexts.append(ctx)
            for student, path in SENTINELS.items():
                _write(folder, student, path.read_bytes())
            for case in CASES:
                if case.group == group:
                    _write(folder, case.id, case.build(ctx))
            if group in ISOLATED:
                results = _grade_isolated(folder, JOBS[group], ctx.canary, need_pids_limit=group == "fork-bomb")
            else:
                results = grade_class(folder / "submitted", folder / "reports", jobs=JOBS[group], progress=False)
            done[group] = ({r.student: r for r in results}, ctx)
        return done[group]
    yield get
    for ctx in contexts:
        ctx.listener.close()
        _kill(_tagged_processes(ctx.tag))
        with contextlib.suppress(OSError):
            (Path("/tmp") / ctx.tmp_name).unlink()


def _describe(result):
    return "score %s; told:\n%s\n-- output (start): %s" % (result.score, student_text(result), result.output[:500])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_submission(case, graded):
    """The case gets exactly its score and messages, leaks nothing, and the others are graded normally."""
    results, ctx = graded(case.group)
    result = results[case.id]
    told = student_text(result)
    points = {item.id: item.max_points for item in load_items(A)}
    lost = points if case.lost == ALL else case.lost
    assert (result.score, result.max_score) == (full_marks(A) - sum(points[i] for i in lost), full_marks(A)), \
        _describe(result)
    for pattern in case.messages:
        assert re.search(pattern, told), "%r not found; %s" % (pattern, _describe(result))
    assert {s: results[s].score for s in SENTINELS} == {s: expected_score(A, Path(path).stem)
                                                         for s, path in SENTINELS.items()}
    if case.secrets:
        seen = result.output + "\n" + told
        baseline = "\n".join(results[s].output + student_text(results[s]) for s in SENTINELS)
        leaked = [s for s in case.secrets(ctx) if s in seen and s not in baseline]
        assert not leaked, "hidden content reached the student, e.g. %r" % leaked[0][:200]
    if case.check:
        case.check(result, ctx)


def test_every_report_names_its_protections(graded):
    """Every submission whose code ran has a note naming the active protections (after a WARNING if weak)."""
    results, _ = graded("main")
    ran = [r for r in results.values() if not any(n.startswith("Not graded") for n in r.notes)]
    missing = [r.student for r in ran if not any(re.match(r"(WARNING: .*)?Protections: ", n) for n in r.notes)]
    assert len(ran) > 40 and not missing, "no 'Protections:' note for %s" % missing


def test_the_table_is_big_enough():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)
