"""The nbgrader side of the course: the source notebooks' test cells, nbgrader's commands, and real
`nbgrader autograde` item scores (to check the kit agrees with it)."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

import grading_config

from .course import ROOT, SOLUTIONS, source_notebook, write_assignment_files
from .items import cell_id, load_items
from .notebook import is_test_cell
from .worker_process import GRADING_ENV, Limits


def test_cell_source(item):
    """The test cell of an item. Under nbgrader (the hidden lines restored) it runs the kit's `check`; in
    the released notebook a visible cell calls the setup cell's `check` (the shipped runtime), and a
    hidden cell is only its comment."""
    kit = "from autograder.checks import check"
    call = 'check("%s", "%s")' % (item.assignment, item.id)
    if item.visible:
        return ("# Visible test: %s\n### BEGIN HIDDEN TESTS\n%s\n### END HIDDEN TESTS\n%s"
                % (item.description, kit, call))
    return ("# Hidden test: %s (runs when your notebook is graded)\n"
            "### BEGIN HIDDEN TESTS\n%s\n%s\n### END HIDDEN TESTS" % (item.description, kit, call))


def sync_test_cells(assignment, write=True):
    """Make the source notebook's test cells match the items (grade_id, source, points), adding a cell at the
    end of the notebook for an item that has none; returns what differed."""
    path = source_notebook(assignment)
    nb = nbformat.read(path, as_version=4)
    items = {i.cell_id: i for i in load_items(assignment)}
    # A cell may still carry the item's other id (visible ↔ hidden, or from before hidden ids were opaque).
    by_id = {cell_id(i.assignment, i.id, not i.visible): i.cell_id for i in items.values()}
    cells = {by_id.get(c.metadata["nbgrader"]["grade_id"], c.metadata["nbgrader"]["grade_id"]): c
             for c in nb.cells if is_test_cell(c)}
    if set(cells) - set(items):
        raise ValueError("%s: test cells %s have no item in %s/items.py: delete the cells "
                         "or restore the items" % (path, sorted(set(cells) - set(items)), assignment))
    changed = []
    for ident in [i for i in items if i not in cells]:          # a new item: its cell goes at the end
        cells[ident] = nbformat.v4.new_code_cell("", metadata={"nbgrader": {
            "grade": True, "grade_id": ident, "locked": True, "points": items[ident].max_points, "schema_version": 3,
            "solution": False, "task": False}})
        nb.cells.append(cells[ident])
    for ident, cell in cells.items():
        item, meta = items[ident], cell.metadata["nbgrader"]
        if (cell.source, meta.get("points"), meta["grade_id"]) != (test_cell_source(item), item.max_points, ident):
            changed.append(item.id)
            cell.source, meta["points"], meta["grade_id"] = test_cell_source(item), item.max_points, ident
    if changed and write:
        nbformat.write(nb, path)
    return changed


def nbgrader(*args, root=ROOT, check=True):
    """Run an nbgrader command in folder `root` (a course, or a student's home for `submit`).

    This course's nbgrader_config.py applies wherever `root` is. The output is returned, and
    raised on failure.
    """
    env = dict(os.environ, **GRADING_ENV, JUPYTER_CONFIG_PATH=str(ROOT),
               PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
    command = [sys.executable, "-m", "nbgrader", *args, "--CourseDirectory.root=%s" % root]
    proc = subprocess.run(command, cwd=root, text=True, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if check and proc.returncode != 0:
        raise RuntimeError("nbgrader %s failed (exit %d):\n%s" % (" ".join(args), proc.returncode, proc.stdout))
    return proc.stdout


def generate(assignment, root=ROOT):
    """`nbgrader generate_assignment`: solutions/<id> → <root>/assignments/<id> (stubs, no hidden tests),
    plus what students need beside the notebook (`write_assignment_files`)."""
    nbgrader("generate_assignment", assignment, "--force",
             "--CourseDirectory.source_directory=%s" % SOLUTIONS, root=root)
    write_assignment_files(assignment, Path(root) / "assignments" / assignment)


def nbgrader_item_scores(submissions):
    """Grade notebooks with real `nbgrader autograde` in a scratch course.

    `submissions` maps (assignment, student) to a notebook path; returns the same keys mapped to
    {item id: points}, or to None where nbgrader could not grade the notebook.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with tempfile.TemporaryDirectory(prefix="nbgrader-") as tmp:
        root = Path(tmp)
        for (assignment, student), path in submissions.items():
            dest = root / "submitted" / student / assignment
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest / ("%s.ipynb" % assignment))
        for assignment in sorted({a for a, _ in submissions}):
            generate(assignment, root)
            # the assignment's own cell timeout (nbgrader_config.py has the course's largest, for any assignment)
            nbgrader("autograde", assignment, "--create", "--force", "--Execute.timeout=%d"
                     % Limits.for_assignment(assignment).cell_timeout, root=root, check=False)
        scores = {}
        with Gradebook("sqlite:///%s" % (root / "gradebook.db"), grading_config.COURSE_ID) as gb:
            for (assignment, student) in submissions:
                try:
                    nb = gb.find_submission_notebook(assignment, assignment, student)
                except MissingEntry:        # nbgrader could not autograde this file
                    scores[(assignment, student)] = None
                    continue
                names = {i.cell_id: i.id for i in load_items(assignment)}
                grades = {names.get(g.name, g.name): g.score for g in nb.grades
                          if g.cell_type == "code" and g.auto_score is not None}
                scores[(assignment, student)] = grades or None     # no grades: the file did not run
        return scores
