"""Items graded by hand (07's written answers) flow from nbgrader's gradebook into every kit output."""
import csv
import json
import xml.etree.ElementTree as ET

import pytest

from autograder.outputs import junit, text
from autograder.outputs.results import gradescope, result_path, write_result
from autograder.nbgrader_bridge import gradebook
from autograder.workflows import lifecycle
from autograder.workflows.coursefolder import CourseFolder
from autograder.engine.grading import NotebookResult
from autograder.items import ItemResult, load_items, settings

from .fixtures import after_due, full_marks

A = "07_keras_mnist"
HAND = {"answer_architecture": 3, "answer_loss_activation": 2, "answer_train_vs_validation": 2,
        "answer_regularization": 3}
LATE = after_due(A, days=1.5)                          # 1.5 days after the due date
AUTO = full_marks(A)                                   # the autograded items' points
FULL = AUTO + sum(HAND.values())
ADA = AUTO - settings(A)["points"]["test_accuracy"] + 5.5     # by hand: 2.5 + 3


def auto_result(root, student, lost=()):
    """A synthetic 07 result: every item passed but those in `lost` (0 points)."""
    items = [ItemResult(i.id, 0.0 if i.id in lost else float(i.max_points), i.max_points,
                        "failed" if i.id in lost else "passed", "wrong" if i.id in lost else "", i.visible, 0.1)
             for i in load_items(A)]
    return NotebookResult(student, A, str(root / "submitted" / student / A / ("%s.ipynb" % A)), items)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course whose 07 submissions are recorded: ada graded by hand (two cells, one comment) and late,
    bob not graded by hand yet. Returns (course folder, the kit's results)."""
    root = tmp_path_factory.mktemp("course")
    results = [auto_result(root, "ada", lost={"test_accuracy"}), auto_result(root, "bob")]
    (root / "submitted" / "ada" / A).mkdir(parents=True)
    (root / "submitted" / "ada" / A / "timestamp.txt").write_text(LATE + "\n")
    assert gradebook.record(results, root) == 2
    with gradebook.open_gradebook(root) as gb:
        gb.find_grade("answer_architecture", A, A, "ada").manual_score = 2.5
        gb.find_grade("answer_regularization", A, A, "ada").manual_score = 3
        gb.find_comment("answer_architecture", A, A, "ada").manual_comment = "batch size: right; depth: vague"
        gb.db.commit()
    assert gradebook.record(results, root) == 2        # the next autograde: late penalty of the new total
    for r in results:
        write_result(result_path(root / "reports", r.assignment, r.student), r.to_dict())
    return CourseFolder(root), results


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_manual_cells_come_from_the_source_notebook():
    cells = gradebook.manual_cells(A)
    assert {c.id: c.max_points for c in cells} == HAND
    assert cells[0].description.startswith("Question 1. What happened when you changed the batch size")
    assert gradebook.manual_cells("01_sigmoid") == ()


def test_without_a_gradebook_items_graded_by_hand_are_pending(tmp_path):
    shown, = gradebook.with_manual_grades([auto_result(tmp_path, "cy")], tmp_path)
    assert (shown.score, shown.max_score) == (AUTO, FULL)
    manual = shown.items[-4:]
    assert [(i.item, i.points, i.max_points, i.status) for i in manual] == [
        (cell, 0.0, points, "pending") for cell, points in HAND.items()]
    assert all(i.message == "graded by hand: not graded yet" for i in manual)
    assert "graded by hand: pending" in json.dumps(gradescope(shown))
    assert "0/3" in "\n".join(text.format_item_lines(shown))


def test_an_unreadable_gradebook_is_a_clear_error(tmp_path):
    (tmp_path / "gradebook.db").write_text("not a database")
    with pytest.raises(ValueError, match="cannot read the grades given by hand from .*gradebook.db"):
        gradebook.with_manual_grades([auto_result(tmp_path, "cy")], tmp_path)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_grades_by_hand_reach_every_output_and_totals_equal_nbgraders_export(course, capsys):
    folder, _ = course
    out = folder.reports
    results, exported, page = lifecycle.grades(out, folder)     # make grades: after grading in the formgrader
    assert lifecycle.feedback(out, folder) == 2
    by_student = {r.student: r for r in results}
    assert (by_student["ada"].score, by_student["ada"].max_score) == (ADA, FULL)
    assert (by_student["bob"].score, by_student["bob"].max_score) == (AUTO, FULL)

    nbgrader = {row["student_id"]: row for row in read_csv(exported)}
    table = {row["student"]: row for row in read_csv(out / "grades" / ("%s.csv" % A))}
    summary = {row["student"]: row for row in read_csv(out / "grades.csv")}
    for student in ("ada", "bob"):
        theirs = nbgrader[student]
        assert float(table[student]["raw_score"]) == pytest.approx(float(theirs["raw_score"]))
        assert float(table[student]["late_penalty"]) == pytest.approx(float(theirs["late_submission_penalty"]))
        assert float(table[student]["score"]) == pytest.approx(float(theirs["score"]))
        assert float(table[student]["max_score"]) == float(theirs["max_score"]) == FULL
        assert float(summary[student][A]) == float(summary[student]["total"]) == pytest.approx(float(theirs["score"]))
    days, lost = gradebook.late_penalty(A, LATE)
    assert days > 0 and table["ada"]["days_late"] == str(days)
    assert float(table["ada"]["score"]) == pytest.approx(ADA * (1 - lost))
    assert [table["ada"]["%s (by hand)" % c] for c in HAND] == ["2.5", "pending", "pending", "3"]
    assert [table["bob"]["%s (by hand)" % c] for c in HAND] == ["pending"] * 4
    assert (summary["ada"]["pending_by_hand"], summary["bob"]["pending_by_hand"]) == ("2", "4")

    ada = json.loads((out / "results" / A / "ada.json").read_text())
    assert (ada["score"], ada["max_score"]) == (ADA, FULL)
    tests = {t["name"]: t for t in ada["tests"]}
    assert tests["answer_architecture (graded by hand)"]["score"] == 2.5
    assert tests["answer_architecture (graded by hand)"]["output"] == "graded by hand: batch size: right; depth: vague"
    assert tests["answer_loss_activation (graded by hand: pending)"]["score"] == 0

    page_ada = (folder.feedback / "ada" / A / ("%s.html" % A)).read_text()
    assert "%g / %g" % (ADA, FULL) in page_ada and "2.5 / 3" in page_ada and "graded by hand: pending" in page_ada
    assert "4 points are graded by hand and not graded yet" in page_ada
    assert "Question 1. What happened when you changed the batch size" in page_ada
    assert "depth: vague" in page_ada
    page_bob = (folder.feedback / "bob" / A / ("%s.html" % A)).read_text()
    assert "10 points are graded by hand and not graded yet" in page_bob

    lines = text.format_table(results).splitlines()
    assert "by hand" in lines[0]
    assert any(l.split()[:3] == [A, "ada", "%g/%g" % (ADA, FULL)] and "5.5/10, 4 pts pending" in l for l in lines)
    assert any(l.split()[:3] == [A, "bob", "%g/%g" % (AUTO, FULL)] and "0/10, 10 pts pending" in l for l in lines)
    assert "Pending hand grading" in page.read_text()


def test_junit_skips_what_is_pending_and_fails_partial_grades_by_hand(tmp_path):
    shown, = gradebook.with_manual_grades([auto_result(tmp_path, "cy")], tmp_path)
    shown.items[-1] = ItemResult("answer_regularization", 1.0, 3, "graded", "graded by hand: too short", True, 0.0)
    shown.items[-2] = ItemResult("answer_train_vs_validation", 2.0, 2, "graded", "graded by hand", True, 0.0)
    junit.write_junit(shown, tmp_path / "junit.xml")
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert (suite.get("skipped"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    assert suite.find("testcase[@name='answer_architecture']/skipped").get("message") == \
        "0/3 points: graded by hand: not graded yet"
    assert suite.find("testcase[@name='answer_regularization']/failure").get("message") == \
        "1/3 points: graded by hand: too short"
    assert list(suite.find("testcase[@name='answer_train_vs_validation']")) == []
