"""Turn NotebookResults into what people read: a table, grade tables, Gradescope JSON, student reports."""
import csv
import json
import os
from pathlib import Path

from .items import assignment_ids, settings

# Statuses of the items graded by hand (gradebook.with_manual_grades), as every output names them.
BY_HAND = {"pending": "graded by hand: pending", "graded": "graded by hand"}


STATUS_MARKS = {"passed": "✓", "partial": "◐", "failed": "✗", "error": "‼", "excused": "○", "pending": "…",
                "graded": "✎"}


def status_label(item):
    """An item's status in words: its status, or what BY_HAND calls it."""
    return BY_HAND.get(item.status, item.status)


def pending_points(result):
    """Points of the result's items still waiting to be graded by hand."""
    return sum(i.max_points for i in result.items if i.status == "pending")


def config_order(result):
    """Sort key: assignments in grading_config order (unknown ones last), then students."""
    rank = assignment_ids()
    return (rank.index(result.assignment) if result.assignment in rank else len(rank), result.assignment,
            result.student)


def gradescope(result):
    """Gradescope's results.json shape for one notebook."""
    tests = [{"name": "%s (%s)" % (r.item, status_label(r)), "score": r.points, "max_score": r.max_points,
              "output": r.message or "passed", "visibility": "visible" if r.visible else "after_published"}
             for r in result.items]
    out = {"score": result.score, "max_score": result.max_score, "tests": tests,
           "output": "\n".join(result.notes) or "Notebook ran without errors."}
    return out


def write_json(results, path):
    """One object for one notebook, a list for several (Gradescope accepts the former)."""
    data = gradescope(results[0]) if len(results) == 1 else [gradescope(r) for r in results]
    _atomic_write(path, json.dumps(data, indent=2))


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
        _write_csv(paths[-1], rows)
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
    _write_csv(paths[-1], rows)
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


def write_student_reports(results, directory):
    """reports/<assignment>/<student>.json: items, messages and notes; never tests' source."""
    for r in results:
        _atomic_write(Path(directory) / r.assignment / ("%s.json" % r.student), json.dumps(r.to_dict(), indent=2))


def format_item_lines(result):
    """One line per note and item (more for multi-line messages), marked by status."""
    lines = []
    for note in result.notes:
        lines.append("  ! " + note)
    for i in result.items:
        mark = STATUS_MARKS[i.status]
        message = i.message.splitlines() or [""]
        lines.append("  %s %-28s %5g/%-4g %s" % (mark, i.item, i.points, i.max_points, message[0]))
        lines += ["      " + m for m in message[1:]]
    return lines


def format_table(results, expected=None):
    """One line per notebook, in config order; a "by hand" column when items are graded by hand; with
    `expected` ({(assignment, student): score}) a verdict column."""
    by_hand = any(i.status in BY_HAND for r in results for i in r.items)
    head = "%-16s %-26s %8s" % ("assignment", "student", "score")
    if by_hand:
        head += "  %-22s" % "by hand"
    if expected is not None:
        head += "  %8s  %s" % ("expected", "verdict")
    lines = [head, "-" * len(head)]
    for r in sorted(results, key=config_order):
        line = "%-16s %-26s %8s" % (r.assignment, r.student, "%g/%g" % (r.score, r.max_score))
        if by_hand:
            line += "  %-22s" % _by_hand_cell(r)
        if expected is not None:
            want = expected.get((r.assignment, r.student))
            verdict = "no expectation" if want is None else ("ok" if want == r.score else "MISMATCH")
            line += "  %8s  %s" % ("" if want is None else "%g" % want, verdict)
        lines.append(line)
    return "\n".join(lines)


def _by_hand_cell(result):
    """The table's summary of a result's items graded by hand: "3/5", "2/5, 5 pending", or empty."""
    manual = [i for i in result.items if i.status in BY_HAND]
    if not manual:
        return ""
    text = "%g/%g" % (sum(i.points for i in manual), sum(i.max_points for i in manual))
    return text + (", %g pts pending" % pending_points(result) if pending_points(result) else "")


def _write_csv(path, rows):
    with _atomic_open(path) as f:
        csv.writer(f).writerows(rows)


def _atomic_write(path, text):
    with _atomic_open(path) as f:
        f.write(text)


class _atomic_open:
    """Write to a temporary file, then rename over the target: readers never see half a file."""

    def __init__(self, path):
        self.path = Path(path)
        self.tmp = self.path.with_name(".%s.tmp%d" % (self.path.name, os.getpid()))

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.f = open(self.tmp, "w", newline="", encoding="utf-8")
        return self.f

    def __exit__(self, exc_type, *rest):
        self.f.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
