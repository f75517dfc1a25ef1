"""The grade tables: `grades/<assignment>.csv` per assignment and the course summary `grades.csv`."""
from pathlib import Path

from autograder.items import assignment_ids, settings
from autograder.outputs.files import write_csv
from autograder.outputs.text import BY_HAND


def write_grade_tables(results, out_dir, penalties=None):
    """`<out_dir>/grades/<assignment>.csv` per assignment and the course summary `<out_dir>/grades.csv`.

    An assignment's table: student, its items in config order, the items graded by hand ("pending" until
    graded), raw score, days late, late penalty, score, max score. The summary: student, the score of each
    assignment (after its late penalty; empty if not submitted), total, the course's max score and how many
    items still wait to be graded by hand. Assignments in grading_config order, students sorted.
    `penalties` maps (assignment, student) to (days late, fraction of the score lost). Returns the paths.
    """
    penalties = penalties or {}
    by_assignment = {}
    for r in results:
        if r.assignment not in assignment_ids():
            raise ValueError("%s/%s: unknown assignment %r (no folder autograder/suites/%s/)" % (
                r.assignment, r.student, r.assignment, r.assignment))
        by_assignment.setdefault(r.assignment, []).append(r)
    assignments = [a for a in assignment_ids() if a in by_assignment]
    finals, paths = {}, []
    for a in assignments:
        rows, finals[a] = _assignment_table(a, sorted(by_assignment[a], key=lambda r: r.student), penalties)
        paths.append(Path(out_dir) / "grades" / ("%s.csv" % a))
        write_csv(paths[-1], rows)
    maxima = {a: max(r.max_score for r in by_assignment[a]) for a in assignments}
    pending = {}
    for r in results:
        pending[r.student] = pending.get(r.student, 0) + sum(i.status == "pending" for i in r.items)
    rows = [["student", *assignments, "total", "max_score", "pending_by_hand"]]
    for student in sorted(pending):
        scores = [finals[a].get(student) for a in assignments]
        rows.append([student, *("" if s is None else _number(s) for s in scores),
                     _number(sum(s for s in scores if s is not None)), _number(sum(maxima.values())),
                     pending[student]])
    paths.append(Path(out_dir) / "grades.csv")
    write_csv(paths[-1], rows)
    return paths


def _assignment_table(assignment, results, penalties):
    """(rows of an assignment's grade table, {student: score after the late penalty})."""
    items = list(settings(assignment)["points"])
    by_hand = []
    for r in results:
        for i in r.items:
            if i.status in BY_HAND and i.item not in by_hand:
                by_hand.append(i.item)
            elif i.status not in BY_HAND and i.item not in items:
                raise ValueError("%s/%s: item %r is not in %s/items.py; regrade with make autograde" % (
                    assignment, r.student, i.item, assignment))
    rows = [["student", *items, *("%s (by hand)" % i for i in by_hand),
             "raw_score", "days_late", "late_penalty", "score", "max_score"]]
    finals = {}
    for r in results:
        cells = {i.item: "pending" if i.status == "pending" else _number(i.points) for i in r.items}
        days, lost = penalties.get((assignment, r.student), (0, 0.0))
        finals[r.student] = r.score * (1 - lost)
        rows.append([r.student, *(cells.get(i, "") for i in items + by_hand), _number(r.score), days,
                     _number(r.score * lost), _number(finals[r.student]), _number(r.max_score)])
    return rows, finals


def _number(x):
    """A score as the tables write it: at most two decimals, no trailing zeros."""
    return "%g" % round(x, 2)
