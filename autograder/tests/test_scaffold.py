"""A new assignment: `python -m autograder new` scaffolds it, a person turns the example into their own
exercise, and `make sync`, `make validate` and the tests that cover every assignment pass — having
edited no more than 5 files (here 2: the notebook and the items, with their points)."""
import os
import subprocess
import sys

import nbformat
import pytest

from .test_end_to_end import kit_copy, run_kit  # noqa: F401 (kit_copy is a fixture)

A = "08_halving"
HALVE = '''def halve(x):
    """Half of x, element-wise."""
    ### BEGIN SOLUTION
    return np.asarray(x, dtype=float) / 2
    ### END SOLUTION
'''
ITEMS = '''"""Assignment 08 — halving."""
import numpy as np

from autograder.expect import expect_close, known
from autograder.items import item

ASSIGNMENT = {"title": "Halving", "due": "2027-01-22 23:59:00 UTC"}
CONTRACT = [("halve(x) returns x / 2, element-wise", ["halve_values", "halve_scalar"]),
            ("halve takes a number too", ["halve_scalar"])]
MISCONCEPTIONS = {"halve": [("you doubled x instead of halving it", lambda x: 2 * x)]}


@item(points=2, visible=True)
def test_halve_values(nb):
    """halve returns half its input, element-wise"""
    x = np.array([-3.0, 0.0, 5.0])
    expect_close(nb.halve(x), x / 2, "halve", "[-3, 0, 5]", "divide by 2", known=known(MISCONCEPTIONS, "halve", x))


@item(points=1)
def test_halve_scalar(nb):
    """halve of a number is a number"""
    expect_close(nb.halve(7.0), 3.5, "halve", "7.0", "divide by 2")
'''


def edit_notebook(path, solution, drop_test_cells=False):
    """Put `solution` in the notebook's solution cell (and drop its test cells: `make sync` makes them)."""
    nb = nbformat.read(path, as_version=4)
    for cell in list(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            cell.source = solution
        elif meta.get("grade") and drop_test_cells:
            nb.cells.remove(cell)
    nbformat.write(nb, path)


@pytest.mark.slow
def test_a_new_assignment_validates_and_tests_green_with_five_edited_files(kit_copy):  # noqa: F811
    made = run_kit(kit_copy, "new", A, "Halving")
    assert made.returncode == 0, made.stdout
    edited = {
        "solutions/%s/%s.ipynb" % (A, A): lambda p: edit_notebook(p, HALVE, drop_test_cells=True),
        "autograder/suites/%s/items.py" % A: lambda p: p.write_text(ITEMS),
    }
    for path, edit in edited.items():
        edit(kit_copy / path)
    assert len(edited) <= 5
    for command in (["sync"], ["release", A], ["validate", A]):
        proc = run_kit(kit_copy, *command)
        assert proc.returncode == 0, (command, proc.stdout)
    assert "%s: reference 3/3, stub 0/3 (kit and nbgrader)" % A in proc.stdout
    env = dict(os.environ, PYTHONPATH=str(kit_copy))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider",
                          "-k", "%s or every_sample or ruff or contract_command" % A, "autograder/tests"],
                         cwd=kit_copy, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "%s" % A in run.stdout or " passed" in run.stdout.splitlines()[-1]
