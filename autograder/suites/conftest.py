"""Run the suites as plain pytest against a notebook: `pytest autograder/suites --notebook PATH`.

Without --notebook each suite runs against its assignment's reference solution. An item that
returns partial credit below full marks fails, with its message, as it loses points when graded.
"""
import pytest

from autograder.course import source_notebook
from autograder.items import PartialCredit
from autograder.tests.conftest import notebook_namespace


def pytest_addoption(parser):
    parser.addoption("--notebook", help="grade this notebook instead of the reference solution")


@pytest.fixture(scope="module")
def nb(request):
    assignment = request.module.__name__.rsplit(".", 1)[-1][len("test_"):]
    path = request.config.getoption("--notebook") or source_notebook(assignment)
    with notebook_namespace(path, assignment) as ns:
        yield ns


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Call the item and fail it when it returns less than full credit (pytest ignores return values)."""
    outcome = pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames})
    if isinstance(outcome, PartialCredit) and outcome < 1:
        pytest.fail("partial credit %.2f of the item's points: %s" % (outcome, outcome.message), pytrace=False)
    return True
