"""`python -m autograder new <id> "<title>"`: a new assignment that validates and tests green as generated.

It writes, for an example function with two items (`example_doubles` visible, `example_keeps_input`
hidden):
- `solutions/<id>/<id>.ipynb`, the nbgrader source notebook: title, the locked imports cell every
  assignment has, one solution cell (BEGIN/END SOLUTION) and the items' test cells (`sync`);
- the assignment's folder `autograder/suites/<id>/`: `items.py` (its title, a due date a week after the
  last one, the items with their points, CONTRACT and MISCONCEPTIONS) and `samples.toml` (the reference
  and the released stub, with their expectations);
then releases it (`assignments/<id>/`). The course finds the folder (grading_config.ASSIGNMENTS lists the
order and may override its settings). The instructor replaces the example: the notebook's text and
solution, the items and their points — and adds samples as bugs are found.
"""
import re
from datetime import timedelta

import nbformat
from nbgrader.utils import parse_utc

from autograder.course import release_notebook, source_notebook
from autograder.nbgrader_bridge.cells import sync_test_cells
from autograder.nbgrader_bridge.commands import generate
from autograder.items import SUITES, assignment_ids, settings
from autograder.workflows.samples import materialize

ID = re.compile(r"\d\d_[a-z][a-z0-9_]*")
SUITE = '''"""Assignment {id} — {title}. Each `test_<item>` is one graded item (see autograder/items.py).

Replace the example: one function per item, checks from autograder.expect, `@item(points=..., visible=True)`
for the items students may run before submitting.
"""
import numpy as np

from autograder.expect import expect_close, expect_unchanged, known
from autograder.items import item

# The assignment: its title and due date (UTC). grading_config.ASSIGNMENTS["{id}"] overrides these for a course.
ASSIGNMENT = {{
    "title": {title!r},
    "due": {due!r},
}}

# The notebook's contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("double(x) returns 2·x, element-wise, for numbers and arrays", ["example_doubles", "example_keeps_input"]),
    ("double does not modify its argument", ["example_keeps_input"]),
]

# Known wrong answers, by student function: (the misconception, its answer on the item's inputs).
MISCONCEPTIONS = {{
    "double": [("you squared x instead of doubling it", lambda x: x ** 2)],
}}


@item(points=1, visible=True)
def test_example_doubles(nb):
    """double returns twice its input, element-wise"""
    x = np.array([-1.5, 0.0, 3.0])
    expect_close(nb.double(x), 2 * x, "double", "[-1.5, 0, 3]", "multiply by 2",
                 known=known(MISCONCEPTIONS, "double", x))


@item(points=1)
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
SAMPLES = """# The sample class (see autograder/workflows/samples.py): add a sample per bug class and correct variant.

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
    folder = SUITES / ident
    if ident in assignment_ids() or folder.exists() or source_notebook(ident).exists():
        raise ScaffoldError("%s already exists (autograder/suites/%s/ or solutions/%s/)" % (ident, ident, ident))
    dues = [parse_utc(settings(a)["due"]) for a in assignment_ids() if settings(a).get("due")]
    due = (max(dues) + timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S UTC") if dues else None
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "items.py").write_text(SUITE.format(id=ident, title=title, due=due))
    (folder / "samples.toml").write_text(SAMPLES)
    _write_notebook(ident, title)
    sync_test_cells(ident)
    generate(ident)
    materialize.cache_clear()
    materialize(ident)
    return [source_notebook(ident), folder / "items.py", folder / "samples.toml", release_notebook(ident).parent]


def _write_notebook(ident, title):
    """The source notebook: title, the imports cell of the first assignment, the example's solution."""
    first = nbformat.read(source_notebook(next(a for a in assignment_ids() if a != ident)), 4)
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
