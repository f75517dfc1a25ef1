"""An instructor's course is never harmed: the demo runs in a folder of its own, and `make clean` removes
the instructor's input only when told to."""
import hashlib
import json
import os
import subprocess
import sys
import zipfile

import pytest
from nbgrader.api import Gradebook

import grading_config
from autograder.course import ROOT
from autograder.workflows.coursefolder import DEMO_MARKER, INPUT, fresh_demo_folder

from .fixtures import SAMPLE_CLASS, expected_score, full_marks
from .test_end_to_end import kit_copy, run_kit  # noqa: F401 (kit_copy is a fixture)

A = "01_sigmoid"
SCRATCH = ("demo-course", "__pycache__", ".pytest_cache")       # the demo's folder, Python's byte code


def tree_digest(root):
    """{relative path: sha256} of every file under `root`, outside the demo's folder and byte-code caches."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not set(p.relative_to(root).parts) & set(SCRATCH)}


def populate(root):
    """An instructor's course mid-term: submissions, an LMS zip, an exchange, a roster with a manual grade,
    reports and feedback."""
    for student in ("reference", "bug-overflow"):
        folder = root / "submitted" / student / A
        folder.mkdir(parents=True)
        folder.joinpath("%s.ipynb" % A).write_bytes((SAMPLE_CLASS / A / ("%s.ipynb" % student)).read_bytes())
        folder.joinpath("timestamp.txt").write_text("2026-12-04 20:00:00.000000 UTC\n")
    archive = root / "downloaded" / "03_backprop" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "canvas.zip", "w") as z:
        z.writestr("garciamaria_12345_678_03_backprop.ipynb", (SAMPLE_CLASS / A / "stub.ipynb").read_bytes())
    inbound = root / "exchange" / grading_config.COURSE_ID / "inbound" / ("alt-correct+%s+2026-12-01" % A)
    inbound.mkdir(parents=True)
    inbound.joinpath("%s.ipynb" % A).write_bytes((SAMPLE_CLASS / A / "alt-correct.ipynb").read_bytes())
    with Gradebook("sqlite:///%s" % (root / "gradebook.db"), grading_config.COURSE_ID) as gb:
        gb.add_student("reference", first_name="Ada", last_name="Lovelace", lms_user_id="12345")
        gb.add_assignment(A)
        gb.add_notebook(A, A)
        gb.add_grade_cell("essay", A, A, max_score=5, cell_type="markdown")
        gb.add_submission(A, "reference")
        gb.find_grade("essay", A, A, "reference").manual_score = 4.5
        gb.db.commit()
    for out in ("reports/grades.csv", "feedback/reference/%s/%s.html" % (A, A)):
        (root / out).parent.mkdir(parents=True, exist_ok=True)
        (root / out).write_text("the instructor's %s\n" % out)


def manual_grade(root):
    with Gradebook("sqlite:///%s" % (root / "gradebook.db"), grading_config.COURSE_ID) as gb:
        return gb.find_grade("essay", A, A, "reference").manual_score


def make_clean(root, *args):
    """`make clean` of the kit at `root` with this interpreter and no venv step: the stamp is the Makefile, which
    `-o` keeps make from remaking (that would point this venv's .pth at the copy)."""
    return subprocess.run(["make", "-s", "-C", str(root), "-o", "Makefile", "clean", "PY=%s" % sys.executable,
                           "STAMP=Makefile", *args],
                          env=dict(os.environ, PYTHONPATH=str(root)), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def check_demo_outputs(kit, proc):
    """The demo of 01 ran its whole lifecycle: every sample scored as expected, and the grade tables, Gradescope
    JSON, feedback, nbgrader's export, JUnit and the instructor report hold its scores."""
    assert proc.returncode == 0, proc.stdout
    n = len(list((SAMPLE_CLASS / "01_sigmoid").glob("*.ipynb")))
    assert "%d of %d sample submissions scored as expected" % (n, n) in proc.stdout
    demo = kit / "demo-course"
    grades = (demo / "reports" / "grades" / "01_sigmoid.csv").read_text().splitlines()
    assert grades[0].startswith("student,sigmoid_values,sigmoid_shapes") and len(grades) == n + 1
    score, full = expected_score("01_sigmoid", "bug-overflow"), full_marks("01_sigmoid")
    summary = (demo / "reports" / "grades.csv").read_text().splitlines()
    assert summary[0] == "student,01_sigmoid,total,max_score,pending_by_hand"
    assert "bug-overflow,%g,%g,%g,0" % (score, score, full) in summary
    report = json.loads((demo / "reports" / "results" / "01_sigmoid" / "bug-overflow.json").read_text())
    assert report["score"] == score and report["max_score"] == full
    page = (demo / "feedback" / "bug-overflow" / "01_sigmoid" / "01_sigmoid.html").read_text()
    assert "sigmoid_extreme" in page and "BEGIN HIDDEN TESTS" not in page
    exported = (demo / "reports" / "nbgrader_grades.csv").read_text()     # nbgrader's gradebook agrees
    assert ",bug-overflow,Eriksen,Tara,bug-overflow@example.edu,%.1f,0.0,%.1f,%.1f" % (score, score, full) \
        in exported
    assert (demo / "reports" / "junit" / "01_sigmoid" / "bug-overflow.xml").exists()
    assert "data:image/png;base64," in (demo / "reports" / "instructor" / "report.html").read_text()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")       # from nbgrader's add_submission
def test_demo_and_clean_leave_the_instructors_course_byte_for_byte(kit_copy, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))  # alembic
    populate(kit_copy)
    before = tree_digest(kit_copy)

    demo = run_kit(kit_copy, "demo", A)
    check_demo_outputs(kit_copy, demo)
    assert "01_sigmoid: 5 LMS files, 10 notebooks in submitted/ now" in demo.stdout
    assert tree_digest(kit_copy) == before          # not one file of the kit or the course added, changed or gone
    assert (kit_copy / "demo-course" / "reports" / "grades.csv").is_file()
    assert (kit_copy / "demo-course" / "exchange" / grading_config.COURSE_ID / "outbound" / A).is_dir()

    again = run_kit(kit_copy, "demo", A)            # the demo wipes and recreates only its own folder
    assert again.returncode == 0 and "removing %s" % (kit_copy / "demo-course") in again.stdout, again.stdout

    clean = make_clean(kit_copy)
    assert clean.returncode == 0, clean.stdout
    removed = [line.split(" ", 1)[1] for line in clean.stdout.splitlines() if line.startswith("removing ")]
    assert sorted(removed) == sorted(str(kit_copy / d) for d in ("demo-course", "reports", "feedback"))
    assert "make clean CONFIRM=yes" in clean.stdout
    after = tree_digest(kit_copy)
    inputs = {p: h for p, h in before.items() if p.split("/")[0] in INPUT}
    assert {p: h for p, h in after.items() if p.split("/")[0] in INPUT} == inputs and len(inputs) == 7
    assert manual_grade(kit_copy) == 4.5

    confirmed = make_clean(kit_copy, "CONFIRM=yes")
    assert confirmed.returncode == 0, confirmed.stdout
    for name in INPUT:
        assert "removing %s" % (kit_copy / name) in confirmed.stdout and not (kit_copy / name).exists()


def test_the_demo_only_wipes_a_folder_it_created(tmp_path):
    course = tmp_path / "course"
    (course / "submitted" / "ann").mkdir(parents=True)
    with pytest.raises(ValueError, match="was not created by `make demo`"):
        fresh_demo_folder(course)
    assert (course / "submitted" / "ann").is_dir()
    demo = fresh_demo_folder(tmp_path / "demo")
    (demo.root / "submitted").mkdir()
    assert fresh_demo_folder(tmp_path / "demo").root == demo.root and (demo.root / DEMO_MARKER).is_file()
    assert not (demo.root / "submitted").exists()


def test_the_demo_refuses_the_kit_folder():
    proc = run_kit(ROOT, "demo", A, "--dir", str(ROOT))
    assert proc.returncode == 2 and "holds the kit itself" in proc.stdout, proc.stdout
