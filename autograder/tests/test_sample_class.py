"""Every sample submission scores exactly its expected score in the kit's grader."""
import pytest

from autograder.samples import expected_scores

from .conftest import SAMPLE_CLASS

EXPECTED = expected_scores()


@pytest.mark.parametrize("assignment,student", sorted(EXPECTED), ids=["/".join(k) for k in sorted(EXPECTED)])
def test_sample_scores_as_expected(assignment, student, sample_results):
    result = sample_results(assignment)[(assignment, student)]
    failed = {i.item: i.message.splitlines()[0] for i in result.items if not i.passed}
    assert result.score == EXPECTED[(assignment, student)], failed


def test_every_sample_has_an_expectation():
    notebooks = {(p.parent.name, p.stem) for p in SAMPLE_CLASS.glob("*/*.ipynb")}
    assert notebooks == set(EXPECTED)
