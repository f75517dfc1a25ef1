"""Run the suites as plain pytest against a notebook: `pytest autograder/suites --notebook PATH`.

Each assignment's items (`<id>/items.py`) run against that notebook; without --notebook, against the
assignment's reference solution, with the kit's own tests in the folders (`<id>/test_*.py`). An item that
returns partial credit below full marks fails, with its message, as it loses points when graded.
"""
import pytest

from autograder.course import source_notebook
from autograder.items import PartialCredit
from autograder.engine.namespaces import notebook_namespace


def pytest_addoption(parser):
    parser.addoption("--notebook", help="grade this notebook instead of the reference solution")


def pytest_ignore_collect(collection_path, config):
    """With --notebook, only the items: the folders' own tests check the kit, not a notebook."""
    if config.getoption("--notebook") and collection_path.suffix == ".py" and collection_path.name != "items.py":
        return True
    return None


@pytest.fixture(scope="module")
def nb(request):
    assignment = request.module.__name__.split(".")[-2]         # autograder.suites.<id>.items
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
