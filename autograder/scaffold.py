"""`python -m autograder new <id> "<title>"`: a new assignment that validates and tests green as generated.

It writes, for an example function with two items (`example_doubles` visible, `example_keeps_input`
hidden):
- `solutions/<id>/<id>.ipynb`, the nbgrader source notebook: title, the locked imports cell every
  assignment has, one solution cell (BEGIN/END SOLUTION) and the items' test cells (`sync`);
- `autograder/suites/test_<id>.py`, the items, with their CONTRACT and MISCONCEPTIONS;
- the assignment's entries in `grading_config.py` (title, points, a due date a week after the last one);
- `course_data/sample_class/<id>/samples.toml`: the reference and the released stub, with their expectations;
then releases it (`assignments/<id>/`). The instructor replaces the example: the notebook's text and
solution, the suite's items, the points — and adds sample notebooks as bugs are found.
"""
import re
from datetime import timedelta

import nbformat
from nbgrader.utils import parse_utc

import grading_config

from .course import ROOT, generate, release_notebook, source_notebook, sync_test_cells
from .samples import materialize

ID = re.compile(r"\d\d_[a-z][a-z0-9_]*")
SUITE = '''"""Assignment {id} — {title}. Each `test_<item>` is one graded item (see autograder/items.py).

Replace the example: one function per item, checks from autograder.expect, `@visible` for the items
students may run before submitting, points in grading_config.py.
"""
import numpy as np

from autograder.expect import expect_close, expect_unchanged, known
from autograder.items import visible

# The notebook's contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("double(x) returns 2·x, element-wise, for numbers and arrays", ["example_doubles", "example_keeps_input"]),
    ("double does not modify its argument", ["example_keeps_input"]),
]

# Known wrong answers, by student function: (the misconception, its answer on the item's inputs).
MISCONCEPTIONS = {{
    "double": [("you squared x instead of doubling it", lambda x: x ** 2)],
}}


@visible
def test_example_doubles(nb):
    """double returns twice its input, element-wise"""
    x = np.array([-1.5, 0.0, 3.0])
    expect_close(nb.double(x), 2 * x, "double", "[-1.5, 0, 3]", "multiply by 2",
                 known=known(MISCONCEPTIONS, "double", x))


def test_example_keeps_input(nb):
    """double works on a 2-D array and leaves it unchanged"""
    x = np.arange(6.0).reshape(2, 3)
    call = nb.inspect("double", x)
    expect_close(call.value, 2 * x, "double", "a 2×3 array", "multiply by 2, element-wise")
    expect_unchanged(x, call.args[0], "double", "x")
'''
SOLUTION = '''def double(x):
    """Twice x, element-wise."""
    ### BEGIN SOLUTION
    return 2 * np.asarray(x, dtype=float)
    ### END SOLUTION
'''
SAMPLES = """# The sample class (see autograder/samples.py): add a sample per bug class and correct variant.

[reference]
lost = ""
what = "the reference solution"

[stub]
lost = "*"
what = "the released notebook, untouched"
base = "release"
"""


class ScaffoldError(ValueError):
    """The assignment cannot be made as asked (bad id, already there); the message says why."""


def new_assignment(ident, title):
    """Create assignment `ident` (e.g. "08_rnn"); returns the paths written."""
    if not ID.fullmatch(ident):
        raise ScaffoldError("%r is not an assignment id: two digits, an underscore, lowercase words (08_rnn)"
                            % ident)
    written = [source_notebook(ident), ROOT / "autograder" / "suites" / ("test_%s.py" % ident),
               ROOT / "course_data" / "sample_class" / ident]
    if ident in grading_config.ASSIGNMENTS or any(p.exists() for p in written):
        raise ScaffoldError("%s already exists (grading_config.py, solutions/, the suites or the sample class)"
                            % ident)
    _add_to_config(ident, title)
    written[1].write_text(SUITE.format(id=ident, title=title))
    _write_notebook(ident, title)
    sync_test_cells(ident)
    generate(ident)
    _write_samples(ident, written[2])
    return [ROOT / "grading_config.py"] + written + [release_notebook(ident).parent]


def _add_to_config(ident, title):
    """Add the assignment to ASSIGNMENTS (after the last one) and DUE_DATES (a week after the last)."""
    path = ROOT / "grading_config.py"
    text = path.read_text()
    last_due = max(grading_config.DUE_DATES.values(), key=parse_utc, default=None)
    due = (parse_utc(last_due) + timedelta(days=7)) if last_due else None
    entries = {"ASSIGNMENTS": '    "%s": {\n        "title": %r,\n        "items": {\n            "example_doubles": 1,'
                              '\n            "example_keeps_input": 1,\n        },\n    },\n' % (ident, title),
               "DUE_DATES": '    "%s": "%s UTC",\n' % (ident, due.strftime("%Y-%m-%d %H:%M:%S")) if due else ""}
    for name, entry in entries.items():
        start = re.search(r"^%s = \{\n" % name, text, re.M)
        end = text.find("\n}\n", start.end() - 1) if start else -1
        if end < 0:
            raise ScaffoldError("grading_config.py: no `%s = {` block ending in a line `}` to add %s to"
                                % (name, ident))
        text = text[:end + 1] + entry + text[end + 1:]
    path.write_text(text)
    grading_config.ASSIGNMENTS[ident] = {"title": title, "items": {"example_doubles": 1, "example_keeps_input": 1}}
    if due:
        grading_config.DUE_DATES[ident] = "%s UTC" % due.strftime("%Y-%m-%d %H:%M:%S")


def _write_notebook(ident, title):
    """The source notebook: title, the imports cell of the first assignment, the example's solution."""
    first = nbformat.read(source_notebook(next(iter(a for a in grading_config.ASSIGNMENTS if a != ident))), 4)
    imports = next(c for c in first.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "imports")
    nb = nbformat.v4.new_notebook(metadata=first.metadata)
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Assignment %s — %s\n\nWrite your code where it says `# YOUR CODE HERE` "
                                      "(delete the `raise NotImplementedError()`); cells that call `check(...)` run "
                                      "the visible tests." % (ident[:2], title)),
        nbformat.v4.new_code_cell(imports.source, metadata=imports.metadata),
        nbformat.v4.new_markdown_cell("## 1. An example\n\n`double(x)` returns twice `x`, element-wise."),
        nbformat.v4.new_code_cell(SOLUTION, metadata={"nbgrader": {
            "grade": False, "grade_id": "double", "locked": False, "schema_version": 3, "solution": True,
            "task": False}}),
    ]
    source_notebook(ident).parent.mkdir(parents=True)
    nbformat.write(nb, source_notebook(ident))


def _write_samples(ident, folder):
    """The sample class: the reference and the released stub (`autograder/samples.py` builds them)."""
    folder.mkdir(parents=True)
    (folder / "samples.toml").write_text(SAMPLES)
    materialize.cache_clear()
    materialize(ident)
