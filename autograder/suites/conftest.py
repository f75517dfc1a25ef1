"""Run the suites as plain pytest against a notebook: `pytest autograder/suites --notebook PATH`.

Without --notebook each suite runs against its assignment's reference solution.
"""
import pytest

from autograder.course import source_notebook
from autograder.tests.conftest import notebook_namespace


def pytest_addoption(parser):
    parser.addoption("--notebook", help="grade this notebook instead of the reference solution")


@pytest.fixture(scope="module")
def nb(request):
    assignment = request.module.__name__.rsplit(".", 1)[-1][len("test_"):]
    path = request.config.getoption("--notebook") or source_notebook(assignment)
    with notebook_namespace(path, assignment) as ns:
        yield ns
