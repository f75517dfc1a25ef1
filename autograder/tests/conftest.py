"""Fixtures for the kit's own tests (not the student-facing suites in autograder/suites/)."""
import contextlib

import pytest

from autograder.course import ROOT, source_notebook
from autograder.namespaces import RemoteNamespace
from autograder.notebook import code_cells, read_submission
from autograder.worker_process import Limits, Worker

SAMPLE_CLASS = ROOT / "course_data" / "sample_class"


@contextlib.contextmanager
def notebook_namespace(path, assignment=None):
    """A RemoteNamespace over a notebook run in a worker, as the grader would."""
    limits = Limits.for_assignment(assignment)
    with Worker(code_cells(read_submission(path, limits.notebook_mb)), limits) as worker:
        yield RemoteNamespace(worker)


@pytest.fixture(scope="module")
def reference(request):
    """The reference solution of the module's ASSIGNMENT, running in a worker."""
    with notebook_namespace(source_notebook(request.module.ASSIGNMENT), request.module.ASSIGNMENT) as ns:
        yield ns
