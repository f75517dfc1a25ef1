"""Real `nbgrader autograde` and the kit give identical per-item scores on every sample submission."""
import pytest

from autograder.course import nbgrader_item_scores
from autograder.grading import grade_notebook
from autograder.items import assignment_ids

from .conftest import SAMPLE_CLASS


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignment_ids())
def test_kit_and_nbgrader_agree_item_by_item(assignment):
    samples = {(assignment, p.stem): p for p in sorted((SAMPLE_CLASS / assignment).glob("*.ipynb"))}
    theirs = nbgrader_item_scores(samples)
    for key, path in samples.items():
        ours = grade_notebook(path, assignment)
        if theirs[key] is None:          # nbgrader could not open it: the kit must say so too
            assert ours.score == 0 and any(n.startswith("Not graded") for n in ours.notes), key
            continue
        assert {i.item: i.points for i in ours.items} == theirs[key], key
