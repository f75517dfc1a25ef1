"""`python -m autograder check` and `grade` as students and instructors type them: run from a subfolder with
a relative interpreter path, on renamed notebooks, other assignments' notebooks and missing paths."""
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.course import ROOT
from autograder.engine.grading import grade_notebook
from autograder.workflows.pullrequest import student_and_assignment

from .fixtures import full_marks

SAMPLES = ROOT / "course_data" / "sample_class"

FULL = full_marks("01_sigmoid")


@pytest.fixture
def folder(tmp_path):
    """A student's subfolder, two levels down, holding renamed notebooks and one made from scratch."""
    here = tmp_path / "course" / "work"
    here.mkdir(parents=True)
    shutil.copy(SAMPLES / "01_sigmoid" / "reference.ipynb", here / "01_sigmoid (1).ipynb")
    shutil.copy(SAMPLES / "03_backprop" / "stub.ipynb", here / "my homework.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def sigmoid(z):\n    return z")])
    nbformat.write(nb, str(here / "from scratch.ipynb"))
    return here


def kit(folder, *args):
    """The command, started with a relative interpreter path ("../../…/python") from `folder`."""
    python = os.path.relpath(sys.executable, folder)
    assert python.startswith("..")
    return subprocess.run([python, "-m", "autograder", *args], cwd=folder, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_check_finds_a_renamed_notebooks_assignment_from_a_subfolder(folder):
    proc = kit(folder, "check", "01_sigmoid (1).ipynb")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Visible tests of 01_sigmoid" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_notebook_graded_as_another_assignment_is_named_as_such(folder):
    proc = kit(folder, "grade", "my homework.ipynb", "--assignment", "04_sgd")
    assert proc.returncode == 0, proc.stderr
    assert "Not graded: this is 03_backprop's notebook, not 04_sgd's" in proc.stdout
    assert "deleted" not in proc.stdout
    proc = kit(folder, "check", "my homework.ipynb", "--assignment", "04_sgd")
    assert proc.returncode == 1
    assert "this is 03_backprop's notebook" in proc.stdout


def test_a_notebook_of_no_assignment_is_an_error_not_a_traceback(folder):
    proc = kit(folder, "check", "from scratch.ipynb")
    assert proc.returncode == 2
    assert proc.stderr.startswith("python -m autograder check: error: from scratch.ipynb: the notebook has none "
                                  "of the cell ids of this course's assignments")
    assert "Traceback" not in proc.stderr
    proc = kit(folder, "grade", ".")           # the others are graded, this one is skipped by name
    assert proc.returncode == 1
    assert "from scratch.ipynb: not graded: the notebook has none of the cell ids" in proc.stdout
    assert "01_sigmoid (1) / 01_sigmoid: %g/%g" % (FULL, FULL) in proc.stdout
    assert "my homework / 03_backprop: 0/" in proc.stdout


@pytest.mark.parametrize("command", ["grade", "check"])
def test_a_missing_path_is_an_error(folder, command):
    proc = kit(folder, command, "03_backprop.ipynb")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "error: 03_backprop.ipynb: no such" in proc.stderr and "Traceback" not in proc.stderr


def test_a_folder_without_notebooks_is_an_error(folder):
    (folder / "empty").mkdir()
    proc = kit(folder, "grade", "empty")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "empty: no notebooks in this folder" in proc.stderr


def test_the_student_is_named_by_option_layout_or_file_name(tmp_path):
    layout = tmp_path / "submitted" / "jane_doe" / "01_sigmoid" / "anything.ipynb"
    loose = tmp_path / "jane_doe" / "01_sigmoid" / "01_sigmoid.ipynb"      # not nbgrader's layout
    for path in (layout, loose):
        path.parent.mkdir(parents=True)
        shutil.copy(SAMPLES / "01_sigmoid" / "stub.ipynb", path)
    assert grade_notebook(layout).student == "jane_doe"
    assert grade_notebook(loose).student == "01_sigmoid"
    assert grade_notebook(loose, student="jane.doe").student == "jane.doe"


def test_grade_help_documents_the_rules(folder):
    text = " ".join(kit(folder, "grade", "--help").stdout.split())
    assert "--student NAME, else STUDENT in nbgrader's layout submitted/STUDENT/ASSIGNMENT/FILE.ipynb, else " \
           "the file's name" in text
    assert "told from the notebook's content" in text


def test_grade_names_the_student_given(folder):
    proc = kit(folder, "grade", "01_sigmoid (1).ipynb", "--student", "jane", "--json", "out.json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("jane / 01_sigmoid: %g/%g" % (FULL, FULL))
    assert json.loads((folder / "out.json").read_text())["score"] == FULL


def test_nothing_graded_writes_no_json(folder):
    proc = kit(folder, "grade", "from scratch.ipynb", "--json", "out.json")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert not (folder / "out.json").exists()


@pytest.mark.parametrize("path, expected", [
    ("submissions/03_backprop/jane.doe.ipynb", ("jane.doe", "03_backprop")),
    ("assignments/03_backprop/03_backprop.ipynb", ("octocat", "03_backprop")),
    ("assignments/03_backprop/03_backprop (1).ipynb", ("octocat", "03_backprop")),
    ("assignments/extra/03_backprop.ipynb", ("octocat", None)),          # its content will tell
])
def test_a_pull_requests_paths_name_the_student_and_expected_assignment(path, expected):
    assert student_and_assignment(path, "octocat") == expected
