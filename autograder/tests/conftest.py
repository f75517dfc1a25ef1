"""Fixtures for the kit's own tests (not the student-facing suites in autograder/suites/)."""
import contextlib
import shutil

import nbformat
import pytest

from autograder.classgrade import grade_class
from autograder.course import ROOT, source_notebook
from autograder.namespaces import RemoteNamespace
from autograder.notebook import code_cells, read_submission
from autograder.worker_process import Limits, Worker, preload_for

SAMPLE_CLASS = ROOT / "course_data" / "sample_class"


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
