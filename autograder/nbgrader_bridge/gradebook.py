"""nbgrader's gradebook in step with the kit: scores, roster, due dates, late penalties, hand grading.

The kit grades notebooks itself; `record` writes its per-item points into `<root>/gradebook.db` as
nbgrader's auto scores, so `nbgrader export`, the formgrader and manual grading keep working.
`with_manual_grades` brings the cells graded by hand in the formgrader back into the kit's outputs.
"""
import csv
import logging
import math
import textwrap
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import parse_utc
from sqlalchemy.exc import SAWarning, SQLAlchemyError

import grading_config

from autograder.course import ROOT, source_notebook
from autograder.nbgrader_bridge.commands import generate, nbgrader
from autograder.items import ConfigError, ItemResult, cell_id, setting

log = logging.getLogger(__name__)


def open_gradebook(root=ROOT):
    """nbgrader's Gradebook of the course at `root`; nbgrader creates it if missing (that needs its PATH)."""
    if not (Path(root) / "gradebook.db").exists():
        nbgrader("db", "student", "list", root=root)
    return Gradebook("sqlite:///%s" % (Path(root) / "gradebook.db"), grading_config.COURSE_ID)


def submission_time(submission_dir):
    """When `nbgrader collect` says the submission came in (naive UTC), or None without timestamp.txt."""
    path = Path(submission_dir) / "timestamp.txt"
    text = path.read_text().strip() if path.is_file() else ""
    return parse_utc(text) if text else None


def late_penalty(assignment, submitted_at, extension=None):
    """(days late, fraction of the score lost) under grading_config.LATE_POLICY.

    Lateness counts from the due date plus the grace period (and any extension), each started day
    costing `penalty_per_day`; beyond `max_days_late` days everything is lost. No due date or no
    submission time: (0, 0.0).
    """
    due = setting(assignment, "due")
    if due is None or submitted_at is None:
        return 0, 0.0
    policy = grading_config.LATE_POLICY
    deadline = parse_utc(due) + timedelta(minutes=policy["grace_minutes"]) + (extension or timedelta(0))
    late = parse_utc(submitted_at) - deadline
    if late <= timedelta(0):
        return 0, 0.0
    days = math.ceil(late / timedelta(days=1))
    if days > policy["max_days_late"]:
        return days, 1.0
    return days, round(min(1.0, days * policy["penalty_per_day"]), 6)


def _ensure_assignments(assignments, root=ROOT):
    """Generate (once) each assignment nbgrader's gradebook lacks; returns those now usable."""
    missing = set(assignments)
    if (Path(root) / "gradebook.db").exists():
        with open_gradebook(root) as gb:
            missing = {a for a in assignments if not _has_notebooks(gb, a)}
    ready = set(assignments) - missing
    for assignment in sorted(missing):
        try:
            generate(assignment, root)
            ready.add(assignment)
        except RuntimeError as exc:
            log.error("cannot add %s to the gradebook: %s", assignment, exc)
    return ready


def _has_notebooks(gb, assignment):
    try:
        return bool(gb.find_assignment(assignment).notebooks)
    except MissingEntry:
        return False


def record(results, root=ROOT):
    """Write kit results (NotebookResults) into `<root>/gradebook.db`; returns how many were written.

    Per result: the student and submission are created if needed, the submission time is read from
    `<root>/submitted/<student>/<assignment>/timestamp.txt`, each item's points become its grade's
    auto_score (manual scores are left alone), and the late penalty (kit policy, applied to the
    notebook's score) becomes nbgrader's late_submission_penalty. Due dates from grading_config go to
    every assignment. Idempotent; a result that fails is logged and skipped.
    """
    results = list(results)
    ready = _ensure_assignments({r.assignment for r in results}, root)
    written = 0
    with open_gradebook(root) as gb:
        for assignment in gb.assignments:
            due = setting(assignment.name, "due")
            if due:
                assignment.duedate = parse_utc(due)
        gb.db.commit()
        for result in results:
            if result.assignment not in ready:
                log.error("%s/%s not recorded: assignment missing from the gradebook",
                          result.assignment, result.student)
                continue
            try:
                with warnings.catch_warnings():     # harmless, from nbgrader's add_submission
                    warnings.simplefilter("ignore", SAWarning)
                    _record_one(gb, result, root)
                written += 1
            except Exception:
                gb.db.rollback()
                log.exception("%s/%s not recorded", result.assignment, result.student)
    return written


def _record_one(gb, result, root):
    assignment, student = result.assignment, result.student
    cells = {c.name for c in gb.find_notebook(assignment, assignment).grade_cells}
    ids = {i.item: cell_id(assignment, i.item, i.visible) for i in result.items}
    unknown = set(ids.values()) - cells
    if unknown:
        raise ValueError("items without grade cells in nbgrader: %s" % ", ".join(sorted(unknown)))
    gb.update_or_create_student(student)
    timestamp = submission_time(Path(root) / "submitted" / student / assignment)
    submission = gb.update_or_create_submission(
        assignment, student, **({"timestamp": timestamp} if timestamp else {}))
    for item in result.items:
        grade = gb.find_grade(ids[item.item], assignment, assignment, student)
        grade.auto_score = float(item.points)
        grade.needs_manual_grade = grade.manual_score is not None    # as nbgrader's autograde does
    gb.db.commit()
    notebook = gb.find_submission_notebook(assignment, assignment, student)
    _, lost = late_penalty(assignment, submission.timestamp, submission.extension)
    notebook.late_submission_penalty = lost * notebook.score if lost else None
    gb.db.commit()


def export(path=None, root=ROOT):
    """`nbgrader export` of the gradebook to a CSV (default `<root>/grades.csv`); returns its path."""
    path = Path(path or Path(root) / "grades.csv").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    nbgrader("export", "--to=%s" % path, root=root)
    return path


def import_roster(csv_path, root=ROOT):
    """`nbgrader db student import` of a CSV (id,first_name,last_name,email); returns its student count."""
    csv_path = Path(csv_path).resolve()
    nbgrader("db", "student", "import", str(csv_path), root=root)
    with open(csv_path, newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


@dataclass(frozen=True)
class ManualCell:
    """A cell of an assignment graded by hand in nbgrader's formgrader."""
    id: str
    max_points: float
    description: str


@lru_cache(maxsize=None)
def manual_cells(assignment):
    """The cells of the assignment's source notebook graded by hand (nbgrader's manually graded answers,
    grade and solution, and its tasks), in notebook order, each described by the markdown cell before it."""
    path = source_notebook(assignment)
    try:
        cells = nbformat.read(path, as_version=4).cells
    except (OSError, ValueError) as exc:
        raise ConfigError("%s: cannot read the cells graded by hand: %s" % (path, exc)) from None
    found = []
    for before, cell in zip([None] + cells, cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("task") or meta.get("grade") and meta.get("solution"):
            question = before.source if before is not None and before.cell_type == "markdown" else ""
            found.append(ManualCell(meta["grade_id"], float(meta["points"]),
                                    textwrap.shorten(question.replace("*", ""), 120, placeholder=" …")
                                    or "answer graded by hand"))
    return tuple(found)


def with_manual_grades(results, root=None):
    """The results, each with its assignment's cells graded by hand appended as items (for output only:
    stored results and `record` keep the kit's own items).

    A cell graded in `<root>/gradebook.db` (manual score, else nbgrader's auto score) is "graded", with
    the grader's comment; otherwise, or without `root` or a gradebook, it is "pending" at 0 points.
    Totals then equal nbgrader's export. An unreadable gradebook is a ValueError.
    """
    db = Path(root) / "gradebook.db" if root else None
    shown = []
    try:
        with open_gradebook(root) if db and db.is_file() else nullcontext() as gb:
            for r in results:
                grades = _hand_grades(gb, r.assignment, r.student)
                shown.append(replace(r, items=r.items + [_manual_item(c, grades) for c in manual_cells(r.assignment)]))
    except SQLAlchemyError as exc:
        raise ValueError("cannot read the grades given by hand from %s: %s" % (db, getattr(exc, "orig", exc))) from None
    return shown


def _hand_grades(gb, assignment, student):
    """{cell: (score, comment)} of a submission in the gradebook, score None if not graded; {} if absent."""
    if gb is None:
        return {}
    try:
        nb = gb.find_submission_notebook(assignment, assignment, student)
    except MissingEntry:
        return {}
    comments = {c.name: c.comment for c in nb.comments}
    return {g.name: (None if g.manual_score is None and g.auto_score is None else g.score, comments.get(g.name))
            for g in nb.grades}


def _manual_item(cell, grades):
    score, comment = grades.get(cell.id, (None, None))
    if score is None:
        return ItemResult(cell.id, 0.0, cell.max_points, "pending", "graded by hand: not graded yet", True, 0.0,
                          description=cell.description)
    message = "graded by hand" + (": %s" % comment if comment else "")
    return ItemResult(cell.id, score, cell.max_points, "graded", message, True, 0.0, description=cell.description)
