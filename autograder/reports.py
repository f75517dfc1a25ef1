"""Turn NotebookResults into what people read: a table, grades.csv, Gradescope JSON, student reports."""
import csv
import json
import os
from pathlib import Path


def gradescope(result):
    """Gradescope's results.json shape for one notebook."""
    tests = [{"name": "%s (%s)" % (r.item, r.status), "score": r.points, "max_score": r.max_points,
              "output": r.message or "passed", "visibility": "visible" if r.visible else "after_published"}
             for r in result.items]
    out = {"score": result.score, "max_score": result.max_score, "tests": tests,
           "output": "\n".join(result.notes) or "Notebook ran without errors."}
    return out


def write_json(results, path):
    """One object for one notebook, a list for several (Gradescope accepts the former)."""
    data = gradescope(results[0]) if len(results) == 1 else [gradescope(r) for r in results]
    _atomic_write(path, json.dumps(data, indent=2))


def write_grades_csv(results, path, penalties=None):
    """student × item points, raw total, lateness and final score, one row per (student, assignment).

    `penalties` maps (assignment, student) to (days late, fraction of the score lost).
    """
    penalties = penalties or {}
    items = []
    for r in results:
        items += [i.item for i in r.items if i.item not in items]
    lines = [["student", "assignment", *items, "raw_score", "days_late", "late_penalty", "score", "max_score"]]
    for r in sorted(results, key=lambda r: (r.assignment, r.student)):
        by_item = {i.item: i.points for i in r.items}
        days, lost = penalties.get((r.assignment, r.student), (0, 0.0))
        lines.append([r.student, r.assignment, *[by_item.get(i, "") for i in items], r.score, days,
                      round(r.score * lost, 2), round(r.score * (1 - lost), 2), r.max_score])
    with _atomic_open(path) as f:
        csv.writer(f).writerows(lines)


def write_student_reports(results, directory):
    """reports/<assignment>/<student>.json: items, messages and notes; never tests' source."""
    for r in results:
        _atomic_write(Path(directory) / r.assignment / ("%s.json" % r.student), json.dumps(r.to_dict(), indent=2))


def format_item_lines(result):
    lines = []
    for note in result.notes:
        lines.append("  ! " + note)
    for i in result.items:
        mark = {"passed": "✓", "partial": "◐", "failed": "✗", "error": "‼"}[i.status]
        message = i.message.splitlines() or [""]
        lines.append("  %s %-28s %5g/%-4g %s" % (mark, i.item, i.points, i.max_points, message[0]))
        lines += ["      " + m for m in message[1:]]
    return lines


def format_table(results, expected=None):
    """One line per notebook; with `expected` ({(assignment, student): score}) adds a verdict column."""
    head = "%-16s %-26s %8s" % ("assignment", "student", "score")
    if expected is not None:
        head += "  %8s  %s" % ("expected", "verdict")
    lines = [head, "-" * len(head)]
    for r in sorted(results, key=lambda r: (r.assignment, r.student)):
        line = "%-16s %-26s %8s" % (r.assignment, r.student, "%g/%g" % (r.score, r.max_score))
        if expected is not None:
            want = expected.get((r.assignment, r.student))
            verdict = "no expectation" if want is None else ("ok" if want == r.score else "MISMATCH")
            line += "  %8s  %s" % ("" if want is None else "%g" % want, verdict)
        lines.append(line)
    return "\n".join(lines)


def read_expected(paths):
    """{(assignment, student): score} from sample-class expected_scores.csv files."""
    expected = {}
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                expected[(Path(path).parent.name, row["student"])] = float(row["expected_score"])
    return expected


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
