"""Fixtures and helpers for the kit's own tests, in autograder/tests/ and in each assignment's folder
(autograder/suites/<id>/test_*.py): a pytest plugin, loaded by the kit's root conftest.py."""
import fcntl
import os
import shutil
from datetime import timedelta

import nbformat
import pytest
from nbgrader.utils import parse_utc

import grading_config
from autograder.workflows import samples
from autograder.workflows.classgrade import grade_class
from autograder.course import source_notebook
from autograder.items import load_items, settings
from autograder.engine.namespaces import notebook_namespace
from autograder.workflows.samples import SAMPLE_CLASS  # noqa: F401 (the tests' import of it)


def pytest_configure(config):
    """The sample notebooks exist before any test module reads them (they are built, not committed)."""
    samples.materialize_all()


def full_marks(assignment):
    """The points of an assignment's autograded items (its items.py, after grading_config's overrides)."""
    return sum(item.max_points for item in load_items(assignment))


def expected_score(assignment, student):
    """What a sample notebook should score under the current points (`autograder.workflows.samples`)."""
    return samples.expected_scores()[(assignment, student)]


def after_due(assignment, **offset):
    """The submission time `offset` (timedelta's keywords) after the assignment's due date, written as
    nbgrader writes timestamp.txt."""
    moment = parse_utc(settings(assignment)["due"]) + timedelta(**offset)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


# Due dates and late policy for tests whose inputs are absolute times (LMS downloads, timestamp.txt):
# they run against this calendar, whatever a course sets in grading_config.py.
CALENDAR = {"01_sigmoid": "2026-12-04 23:59:00 UTC", "02_cross_entropy": "2026-12-11 23:59:00 UTC",
            "07_keras_mnist": "2027-01-15 23:59:00 UTC"}
LATE_POLICY = {"grace_minutes": 15, "penalty_per_day": 0.10, "max_days_late": 5}


@pytest.fixture
def fixed_calendar(monkeypatch):
    """Run against CALENDAR and LATE_POLICY above instead of the course's."""
    for assignment, due in CALENDAR.items():
        set_override(monkeypatch, assignment, due=due)
    monkeypatch.setattr(grading_config, "LATE_POLICY", dict(LATE_POLICY))


@pytest.fixture(scope="module")
def reference(request):
    """The reference solution of the module's ASSIGNMENT, running in a worker."""
    with notebook_namespace(source_notebook(request.module.ASSIGNMENT), request.module.ASSIGNMENT) as ns:
        yield ns


def set_override(monkeypatch, assignment, **override):
    """Override an assignment's settings in grading_config.ASSIGNMENTS for one test (undone after it)."""
    monkeypatch.setitem(grading_config.ASSIGNMENTS, assignment,
                        {**grading_config.ASSIGNMENTS.get(assignment, {}), **override})


def sample_paths(assignment):
    """{(assignment, student): path} of the sample class's submissions for one assignment."""
    return {(assignment, p.stem): p for p in sorted((SAMPLE_CLASS / assignment).glob("*.ipynb"))}


def grade_variants(folder, reference, cells, assignment):
    """Grade, in one class run, two untouched copies of `reference` ("aaa-reference", "zzz-reference")
    and, per student of `cells`, the reference with that code cell appended: {student: NotebookResult}."""
    students = {"aaa-reference": reference.read_bytes(), "zzz-reference": reference.read_bytes()}
    for student, cell in cells.items():
        nb = nbformat.read(reference, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(cell))
        students[student] = nbformat.writes(nb).encode()
    for student, data in students.items():
        dest = folder / "submitted" / student / assignment
        dest.mkdir(parents=True)
        (dest / (assignment + ".ipynb")).write_bytes(data)
    return {r.student: r for r in grade_class(folder / "submitted", folder / "reports", progress=False)}


@pytest.fixture(scope="session")
def sample_results(tmp_path_factory):
    """`get(assignment)` → {(assignment, student): NotebookResult}, each sample graded once per test run by
    the kit's class grader (all cores). Under pytest-xdist the processes share the graded folder: the first
    grades it, under a lock, and the others read the results it stored (the class grader keeps them)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent                  # every worker's base temp is inside this run's folder
    graded = {}

    def get(assignment):
        if assignment not in graded:
            folder = shared / "sample-class" / assignment
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                for (_, student), path in sample_paths(assignment).items():
                    dest = folder / "submitted" / student / assignment / ("%s.ipynb" % assignment)
                    if not dest.exists():
                        dest.parent.mkdir(parents=True)
                        shutil.copy(path, dest)
                results = grade_class(folder / "submitted", folder / "reports", progress=False)
            graded[assignment] = {(r.assignment, r.student): r for r in results}
        return graded[assignment]
    return get
