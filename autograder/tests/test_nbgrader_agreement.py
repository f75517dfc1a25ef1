"""Real `nbgrader autograde` and the kit give identical per-item scores on every sample submission."""
import pytest

from autograder.nbgrader_bridge.commands import nbgrader_item_scores
from autograder.items import assignment_ids

from .fixtures import sample_paths


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignment_ids())
def test_kit_and_nbgrader_agree_item_by_item(assignment, sample_results):
    theirs = nbgrader_item_scores(sample_paths(assignment))
    for key, ours in sample_results(assignment).items():
        if theirs[key] is None:          # nbgrader could not open it: the kit must say so too
            assert ours.score == 0 and any(n.startswith("Not graded") for n in ours.notes), key
            continue
        assert {i.item: i.points for i in ours.items} == theirs[key], key
