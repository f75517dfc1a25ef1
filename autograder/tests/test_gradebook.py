"""The kit's results reach nbgrader's gradebook, export and roster; the late policy."""
import copy
import csv
import shutil
from datetime import timedelta

import pytest

import grading_config
from autograder.nbgrader_bridge import gradebook
from autograder.nbgrader_bridge.gradebook import parse_utc
from autograder.engine.grading import grade_notebook
from autograder.items import ItemResult, cell_id, settings

from .fixtures import SAMPLE_CLASS, after_due, set_override

A = "01_sigmoid"
STUDENTS = ["reference", "stub", "bug-overflow", "alt-correct"]
TIMESTAMPS = {"reference": after_due(A, hours=-4),                 # on time
              "bug-overflow": after_due(A, days=1.5)}               # 1.5 days late: 2 started days off


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Scratch course: four graded 01_sigmoid submissions, recorded (`record` generates the assignment)."""
    root = tmp_path_factory.mktemp("course")
    for student in STUDENTS:
        dest = root / "submitted" / student / A
        dest.mkdir(parents=True)
        shutil.copy(SAMPLE_CLASS / A / ("%s.ipynb" % student), dest / ("%s.ipynb" % A))
        if student in TIMESTAMPS:
            (dest / "timestamp.txt").write_text(TIMESTAMPS[student] + "\n")
    results = [grade_notebook(root / "submitted" / s / A / ("%s.ipynb" % A)) for s in STUDENTS]
    bad = copy.deepcopy(results[0])
    bad.student = "bad-result"
    bad.items.append(ItemResult("no_such_item", 1.0, 1.0, "passed", "", True, 0.0))
    assert gradebook.record([bad] + results, root) == len(results)       # the bad one is skipped
    return root, {r.student: r for r in results}


def snapshot(root):
    with gradebook.open_gradebook(root) as gb:
        return sorted((s.student.id, s.timestamp, s.assignment.duedate, nb.late_submission_penalty,
                       g.name, g.auto_score, g.manual_score, g.needs_manual_grade)
                      for s in gb.assignment_submissions(A) for nb in s.notebooks for g in nb.grades)


@pytest.mark.slow
def test_record_writes_the_kit_scores(course):
    root, results = course
    with gradebook.open_gradebook(root) as gb:
        assert sorted(s.id for s in gb.students) == sorted(STUDENTS)
        assert gb.find_assignment(A).duedate == gradebook.parse_utc(settings(A)["due"])
        for student, result in results.items():
            nb = gb.find_submission_notebook(A, A, student)
            assert {g.name: g.auto_score for g in nb.grades} == {
                cell_id(A, i.item, i.visible): i.points for i in result.items}      # hidden items: opaque ids
            assert not nb.needs_manual_grade
            assert gb.find_submission(A, student).score == pytest.approx(result.score)
        assert gb.find_submission(A, "reference").timestamp is not None
        assert gb.find_submission(A, "stub").timestamp is None
        penalty = gb.find_submission_notebook(A, A, "bug-overflow").late_submission_penalty
        assert penalty == pytest.approx(gradebook.late_penalty(A, TIMESTAMPS["bug-overflow"])[1]
                                        * results["bug-overflow"].score) and penalty > 0
        assert gb.find_submission_notebook(A, A, "reference").late_submission_penalty is None


@pytest.mark.slow
def test_record_is_idempotent_and_keeps_manual_scores(course):
    root, results = course
    before = snapshot(root)
    gradebook.record(results.values(), root)
    assert snapshot(root) == before
    with gradebook.open_gradebook(root) as gb:
        gb.find_grade("sigmoid_values", A, A, "stub").manual_score = 1.5
        gb.db.commit()
    gradebook.record(results.values(), root)
    with gradebook.open_gradebook(root) as gb:
        grade = gb.find_grade("sigmoid_values", A, A, "stub")
        assert (grade.manual_score, grade.needs_manual_grade) == (1.5, True)
        assert grade.auto_score == {i.item: i.points for i in results["stub"].items}["sigmoid_values"]
        grade.manual_score = None
        gb.db.commit()
    gradebook.record(results.values(), root)
    assert snapshot(root) == before


@pytest.mark.slow
def test_export_carries_the_scores(course):
    root, results = course
    path = gradebook.export(root / "out" / "grades.csv", root)
    with open(path, newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(STUDENTS)
    for student, result in results.items():
        raw, lost = float(rows[student]["raw_score"]), 0.2 if student == "bug-overflow" else 0.0
        assert raw == pytest.approx(result.score)
        assert float(rows[student]["score"]) == pytest.approx(result.score * (1 - lost))
        assert float(rows[student]["max_score"]) == pytest.approx(result.max_score)


@pytest.mark.slow
def test_import_roster_creates_the_students(tmp_path):
    roster = SAMPLE_CLASS / "roster.csv"
    with open(roster, newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert set(rows) == {p.stem for p in SAMPLE_CLASS.glob("*/*.ipynb")}
    assert gradebook.import_roster(roster, tmp_path) == len(rows)
    with gradebook.open_gradebook(tmp_path) as gb:
        students = {s.id: s for s in gb.students}
        assert set(students) == set(rows)
        assert students["reference"].first_name == rows["reference"]["first_name"]
        assert students["reference"].email == rows["reference"]["email"]


# (submission time after the due date plus the grace period, in minutes; days charged) under LATE_POLICY
LATE_CASES = {"on time": (-24 * 60, 0), "in the grace period": (-5, 0), "just after the grace": (5, 1),
              "1.5 days late": (36 * 60, 2), "the last day that earns something": ("max", "max"),
              "beyond max_days_late": ("beyond", "beyond")}


@pytest.mark.parametrize("case", sorted(LATE_CASES))
def test_late_penalty(case):
    policy = grading_config.LATE_POLICY
    minutes, days = LATE_CASES[case]
    last = policy["max_days_late"]
    minutes = {"max": last * 24 * 60 - 1, "beyond": (last + 0.5) * 24 * 60}.get(minutes, minutes)
    days = {"max": last, "beyond": last + 1}.get(days, days)
    fraction = 1.0 if days > last else min(1.0, round(days * policy["penalty_per_day"], 10))
    submitted = after_due(A, minutes=policy["grace_minutes"] + minutes)
    assert gradebook.late_penalty(A, submitted) == pytest.approx((days, fraction))
    in_cet = (parse_utc(submitted) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S CET")
    assert gradebook.late_penalty(A, in_cet) == pytest.approx((days, fraction))     # time zones converted


def test_late_penalty_without_a_timestamp():
    assert gradebook.late_penalty(A, None) == (0, 0.0)


def test_late_penalty_extension_and_no_due_date(monkeypatch):
    assert gradebook.late_penalty(A, after_due(A, days=1.5), timedelta(days=2)) == (0, 0.0)
    set_override(monkeypatch, A, due=None)
    assert gradebook.late_penalty(A, "2030-01-01 00:00:00 UTC") == (0, 0.0)


def test_submission_time(tmp_path):
    assert gradebook.submission_time(tmp_path) is None
    (tmp_path / "timestamp.txt").write_text("2026-11-25 13:10:05.123456 UTC\n")
    assert gradebook.submission_time(tmp_path) == gradebook.parse_utc("2026-11-25 13:10:05.123456")
