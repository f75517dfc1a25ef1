"""nbgrader's commands, run with the course's configuration, and real `nbgrader autograde` item scores (to
check the kit agrees with it)."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import grading_config

from autograder.course import ROOT, SOLUTIONS, write_assignment_files
from autograder.items import load_items
from autograder.engine.worker_process import GRADING_ENV, Limits


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
