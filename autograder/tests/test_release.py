"""The released notebooks, the solutions' test cells, the suites and grading_config.py agree."""
import nbformat
import pytest

from autograder import course
from autograder.nbgrader_bridge import cells, commands
from autograder.items import assignment_ids, load_items

ASSIGNMENTS = assignment_ids()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_suite_and_config_name_the_same_items(assignment):
    items = load_items(assignment)
    assert items and all(i.max_points > 0 for i in items)
    assert any(i.visible for i in items) and any(not i.visible for i in items)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_test_cells_are_in_sync(assignment):
    assert cells.sync_test_cells(assignment, write=False) == [], "run `make sync`"


def _cells(path):
    nb = nbformat.read(path, as_version=4)
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_is_not_stale(assignment, tmp_path):
    commands.generate(assignment, root=tmp_path)
    fresh = tmp_path / "assignments" / assignment / ("%s.ipynb" % assignment)
    committed = course.release_notebook(assignment)
    assert _cells(committed) == _cells(fresh), "assignments/%s is stale: run `make release`" % assignment


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_compiled_checks_are_deterministic(assignment):
    """The same suite compiles to the same bytes (a release is reproducible)."""
    from autograder.engine import visible
    first = course.compiled_checks(assignment)
    visible.compile_item.cache_clear()
    assert course.compiled_checks(assignment) == first


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solutions_or_hidden_tests(assignment):
    text = course.release_notebook(assignment).read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    hidden = [i.id for i in load_items(assignment) if not i.visible]
    assert not [i for i in hidden if 'check("%s", "%s")' % (assignment, i) in text]
