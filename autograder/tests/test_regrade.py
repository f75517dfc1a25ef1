"""Regrades that explain themselves: points and late policy re-score stored outcomes without running
student code; only a change in what an item computes re-runs, and only the submissions it affects."""
import contextlib
import csv
import json
import shutil

import pytest

import grading_config
from autograder.workflows import classgrade, lifecycle
from autograder.nbgrader_bridge import gradebook
from autograder.engine import grading

from .fixtures import SAMPLE_CLASS, after_due, full_marks, set_override

STUDENTS = {"01_sigmoid": ["reference", "stub", "bug-overflow", "bug-derivative"],
            "02_cross_entropy": ["reference", "bug-no-half"]}
LATE = ("bug-overflow", "01_sigmoid", after_due("01_sigmoid", days=2))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """submitted/<student>/<assignment>/<assignment>.ipynb for a few samples (one late), graded once."""
    root = tmp_path_factory.mktemp("regrade")
    for assignment, students in STUDENTS.items():
        for student in students:
            dest = root / "submitted" / student / assignment
            dest.mkdir(parents=True)
            shutil.copy(SAMPLE_CLASS / assignment / ("%s.ipynb" % student), dest / ("%s.ipynb" % assignment))
    student, assignment, when = LATE
    (root / "submitted" / student / assignment / "timestamp.txt").write_text(when)
    classgrade.grade_class(root / "submitted", root / "reports", jobs=2, progress=False)
    return root


@pytest.fixture
def course(graded, tmp_path):
    """A copy of the graded class: submitted/ and reports/ (a course folder that is not the instructor's)."""
    shutil.copytree(graded, tmp_path, dirs_exist_ok=True)
    return tmp_path


@contextlib.contextmanager
def no_workers():
    """Fail if any student code would run inside: no grading pool, no worker process."""
    def refuse(*args, **kwargs):
        raise AssertionError("a worker was started")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classgrade, "ProcessPoolExecutor", refuse)
        patch.setattr(grading, "Worker", refuse)
        yield


def autograde(submitted, reports):
    """lifecycle.autograde (outside the instructor's course: no gradebook); returns (results, the lines it
    said, the grade tables' rows by file)."""
    lines = []
    results = lifecycle.autograde(submitted, reports, jobs=2, progress=False, say=lines.append)
    tables = {}
    for path in sorted(reports.glob("grades*.csv")) + sorted(reports.glob("grades/*.csv")):
        with open(path, newline="") as f:
            tables[path.relative_to(reports).as_posix()] = list(csv.reader(f))
    return results, lines, tables


def per_item(results):
    return {(r.assignment, r.student): [(i.item, i.points, i.max_points, i.status) for i in r.items] for r in results}


def test_nothing_to_do_says_so(course):
    with no_workers():
        _, lines, _ = autograde(course / "submitted", course / "reports")
    assert lines == ["autograde: nothing to do: all 6 stored results are up to date"]


def test_points_change_rescores_without_a_worker_and_matches_a_full_regrade(course, monkeypatch):
    set_override(monkeypatch, "01_sigmoid", points={"sigmoid_values": 5, "relu_prime_values": 0.5})
    with no_workers():
        rescored, lines, table = autograde(course / "submitted", course / "reports")
    assert lines == [
        "grading_config.py: points of 01_sigmoid changed → re-scoring 4 submissions of 01_sigmoid without running them",
        "autograde: 0 to grade (running student code), 4 to re-score (no code runs), 2 up to date"]
    assert next(r.score for r in rescored if r.student == "reference") == full_marks("01_sigmoid")
    full, _, full_table = autograde(course / "submitted", course / "full")
    assert per_item(rescored) == per_item(full)
    assert table == full_table


def test_late_policy_change_rescores_without_a_worker_and_matches_a_full_regrade(course, monkeypatch):
    _, _, before = autograde(course / "submitted", course / "reports")
    per_day = grading_config.LATE_POLICY["penalty_per_day"] + 0.05
    monkeypatch.setitem(grading_config.LATE_POLICY, "penalty_per_day", per_day)
    set_override(monkeypatch, "02_cross_entropy", due="2020-12-01 23:59:00 UTC")   # all late
    with no_workers():
        rescored, lines, table = autograde(course / "submitted", course / "reports")
    assert lines == [
        "grading_config.py: LATE_POLICY changed → re-scoring 4 submissions of 01_sigmoid without running them",
        "grading_config.py: LATE_POLICY changed; grading_config.py: due date of 02_cross_entropy changed "
        "→ re-scoring 2 submissions of 02_cross_entropy without running them",
        "autograde: 0 to grade (running student code), 6 to re-score (no code runs), 0 up to date"]
    assert table != before
    late = course / "submitted" / "bug-overflow" / "01_sigmoid"
    assert gradebook.late_penalty("01_sigmoid", gradebook.submission_time(late)) == (2, pytest.approx(2 * per_day))
    full, _, full_table = autograde(course / "submitted", course / "full")
    assert per_item(rescored) == per_item(full)
    assert table == full_table


def older_format(data):
    """A result as the kit stored it before stamps: one key, no per-item fractions."""
    del data["stamp"]
    data["key"] = "0" * 32
    for item in data["items"]:
        del item["fraction"]


def test_a_change_in_what_items_compute_regrades_only_the_submissions_it_affects(course, monkeypatch):
    stored = course / "reports" / "students" / "01_sigmoid"
    suite, engine = "autograder/suites/01_sigmoid/items.py", "autograder/expect.py"
    edits = {"reference": lambda data: data["stamp"]["grading"]["code"].update({suite: "0"}),
             "stub": lambda data: data["stamp"]["grading"]["code"].update({engine: "0"}),
             "bug-overflow": older_format}
    for student, edit in edits.items():
        data = json.loads((stored / ("%s.json" % student)).read_text())
        edit(data)
        (stored / ("%s.json" % student)).write_text(json.dumps(data))
    untouched = (stored / "bug-derivative.json").stat().st_mtime_ns
    set_override(monkeypatch, "02_cross_entropy", limits={"call_timeout": 5})
    results, lines, _ = autograde(course / "submitted", course / "reports")
    assert lines == [
        "grading code changed (autograder/expect.py) → regrading 1 submission of 01_sigmoid",
        "stored result has no stamp of this kit (graded by an older one) → regrading 1 submission of 01_sigmoid",
        "suite 01_sigmoid/items.py changed → regrading 1 submission of 01_sigmoid",
        "grading_config.py: limits of 02_cross_entropy changed → regrading 2 submissions of 02_cross_entropy",
        "autograde: 5 to grade (running student code), 0 to re-score (no code runs), 1 up to date"]
    assert (stored / "bug-derivative.json").stat().st_mtime_ns == untouched
    scores = {r.student: r.score for r in results if r.assignment == "01_sigmoid"}
    assert scores["reference"] == full_marks("01_sigmoid")
    with no_workers():
        assert autograde(course / "submitted", course / "reports")[1] == [
            "autograde: nothing to do: all 6 stored results are up to date"]
