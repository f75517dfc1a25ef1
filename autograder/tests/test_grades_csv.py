"""The grade tables: one per assignment (items in config order) and a course summary, assignments in config order."""
import csv

import pytest

from autograder.outputs import grade_tables, text
from autograder.engine.grading import NotebookResult
from autograder.items import ItemResult, settings


def result(student, assignment, points=None):
    """Full marks on every config item of `assignment`, except the items `points` sets, in reverse order."""
    items = [ItemResult(item, (points or {}).get(item, pts), pts, "passed", "", True, 0.0)
             for item, pts in reversed(settings(assignment)["points"].items())]
    return NotebookResult(student, assignment, "%s.ipynb" % student, items)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_one_table_per_assignment_and_a_summary_in_config_order(tmp_path):
    results = [result("zoe", "06_dropout"), result("ada", "04_sgd", {"train_accuracy": 1.5}),
               result("zoe", "01_sigmoid"), result("ada", "01_sigmoid", {"sigmoid_values": 0})]
    paths = grade_tables.write_grade_tables(results, tmp_path, {("01_sigmoid", "ada"): (2, 0.2)})
    assert paths == [tmp_path / "grades" / ("%s.csv" % a) for a in ("01_sigmoid", "04_sgd", "06_dropout")] + [
        tmp_path / "grades.csv"]

    points = {a: settings(a)["points"] for a in ("01_sigmoid", "04_sgd", "06_dropout")}
    full = {a: sum(p.values()) for a, p in points.items()}
    ada_raw = full["01_sigmoid"] - points["01_sigmoid"]["sigmoid_values"]
    ada_sgd = full["04_sgd"] - points["04_sgd"]["train_accuracy"] + 1.5
    sigmoid = rows(tmp_path / "grades" / "01_sigmoid.csv")
    assert sigmoid[0] == ["student", *points["01_sigmoid"], "raw_score", "days_late", "late_penalty", "score",
                          "max_score"]
    assert [r[0] for r in sigmoid[1:]] == ["ada", "zoe"]
    assert sigmoid[1][1] == "0" and sigmoid[1][-5:] == num(ada_raw, 2, 0.2 * ada_raw, 0.8 * ada_raw, full["01_sigmoid"])
    assert sigmoid[2][-5:] == num(full["01_sigmoid"], 0, 0, full["01_sigmoid"], full["01_sigmoid"])
    sgd = rows(tmp_path / "grades" / "04_sgd.csv")
    assert len(sgd) == 2 and sgd[1][sgd[0].index("train_accuracy")] == "1.5"

    summary = rows(tmp_path / "grades.csv")
    everything = full["01_sigmoid"] + full["04_sgd"] + full["06_dropout"]
    assert summary[0] == ["student", "01_sigmoid", "04_sgd", "06_dropout", "total", "max_score", "pending_by_hand"]
    assert summary[1] == ["ada", *num(0.8 * ada_raw, ada_sgd), "", *num(0.8 * ada_raw + ada_sgd, everything), "0"]
    assert summary[2] == ["zoe", *num(full["01_sigmoid"]), "", *num(full["06_dropout"],
                                                                   full["01_sigmoid"] + full["06_dropout"],
                                                                   everything), "0"]


def num(*values):
    """Numbers as the tables write them (at most 2 decimals, no trailing zeros)."""
    return ["%g" % round(v, 2) for v in values]


def test_results_the_config_does_not_know_are_refused_by_name(tmp_path):
    stale = result("ada", "01_sigmoid")
    stale.items.append(ItemResult("sigmoid_old", 1, 1, "passed", "", True, 0.0))
    with pytest.raises(ValueError, match="01_sigmoid/ada: item 'sigmoid_old' is not in 01_sigmoid/items.py"):
        grade_tables.write_grade_tables([stale], tmp_path)
    unknown = NotebookResult("ada", "99_nope", "ada.ipynb", [])
    with pytest.raises(ValueError, match="99_nope/ada: unknown assignment '99_nope'"):
        grade_tables.write_grade_tables([unknown], tmp_path)
    assert not (tmp_path / "grades.csv").exists()


def test_the_table_lists_assignments_in_config_order():
    lines = text.format_table([result("zoe", "06_dropout"), result("ada", "01_sigmoid")]).splitlines()
    assert [l.split()[0] for l in lines[2:]] == ["01_sigmoid", "06_dropout"] and "by hand" not in lines[0]
