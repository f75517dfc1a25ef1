"""Every sample submission scores exactly its expected score in the kit's grader."""
import csv

import pytest

from autograder.workflows.samples import expected_scores

from .fixtures import SAMPLE_CLASS

EXPECTED = expected_scores()


@pytest.mark.parametrize("assignment,student", sorted(EXPECTED), ids=["/".join(k) for k in sorted(EXPECTED)])
def test_sample_scores_as_expected(assignment, student, sample_results):
    result = sample_results(assignment)[(assignment, student)]
    failed = {i.item: i.message.splitlines()[0] for i in result.items if not i.passed}
    assert result.score == EXPECTED[(assignment, student)], failed


def test_every_sample_is_built_and_is_a_roster_student():
    notebooks = {(p.parent.name, p.stem) for p in SAMPLE_CLASS.glob("*/*.ipynb")}
    assert notebooks == set(EXPECTED)
    with open(SAMPLE_CLASS / "roster.csv", newline="") as f:
        roster = {row["id"] for row in csv.DictReader(f)}
    assert {student for _, student in EXPECTED} <= roster
