"""Fixtures for the kit's own tests (not the student-facing suites in autograder/suites/)."""
import contextlib
import shutil
from datetime import timedelta

import nbformat
import pytest
from nbgrader.utils import parse_utc

import grading_config
from autograder import samples
from autograder.classgrade import grade_class
from autograder.course import source_notebook
from autograder.items import load_items
from autograder.namespaces import RemoteNamespace
from autograder.notebook import code_cells, read_submission
from autograder.samples import SAMPLE_CLASS  # noqa: F401 (the tests' import of it)
from autograder.worker_process import Limits, Worker, preload_for


def pytest_configure(config):
    """The sample notebooks exist before any test module reads them (they are built, not committed)."""
    samples.materialize_all()


def full_marks(assignment):
    """The points of an assignment's autograded items, as grading_config.py sets them."""
    return sum(item.points for item in load_items(assignment))


def expected_score(assignment, student):
    """What a sample notebook should score under the current points (`autograder.samples`)."""
    return samples.expected_scores()[(assignment, student)]


def after_due(assignment, **offset):
    """The submission time `offset` (timedelta's keywords) after the assignment's due date, written as
    nbgrader writes timestamp.txt."""
    moment = parse_utc(grading_config.DUE_DATES[assignment]) + timedelta(**offset)
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
        monkeypatch.setitem(grading_config.DUE_DATES, assignment, due)
    monkeypatch.setattr(grading_config, "LATE_POLICY", dict(LATE_POLICY))


@contextlib.contextmanager
def notebook_namespace(path, assignment=None):
    """A RemoteNamespace over a notebook run in a worker, as the grader would."""
    limits = Limits.for_assignment(assignment)
    with Worker(code_cells(read_submission(path, limits.notebook_mb)), limits, preload_for(assignment)) as worker:
        yield RemoteNamespace(worker)


@pytest.fixture(scope="module")
def reference(request):
    """The reference solution of the module's ASSIGNMENT, running in a worker."""
    with notebook_namespace(source_notebook(request.module.ASSIGNMENT), request.module.ASSIGNMENT) as ns:
        yield ns


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
    """`get(assignment)` → {(assignment, student): NotebookResult}, each sample graded once per session
    by the kit's class grader (all cores)."""
    graded = {}

    def get(assignment):
        if assignment not in graded:
            folder = tmp_path_factory.mktemp(assignment)
            for (_, student), path in sample_paths(assignment).items():
                dest = folder / "submitted" / student / assignment
                dest.mkdir(parents=True)
                shutil.copy(path, dest / ("%s.ipynb" % assignment))
            results = grade_class(folder / "submitted", folder / "reports", progress=False)
            graded[assignment] = {(r.assignment, r.student): r for r in results}
        return graded[assignment]
    return get
