"""Coverage by clause: every suite lists its notebook's contract, clause by clause, with the items
that exercise each clause (`CONTRACT` in `autograder/suites/<id>/items.py`). Every clause has an
item, every item serves a clause, and `python -m autograder contract` prints the table."""
import subprocess
import sys

import pytest

from autograder.course import ROOT
from autograder.items import assignment_ids, contract, load_items


@pytest.mark.parametrize("assignment", assignment_ids())
def test_every_clause_is_exercised_and_every_item_serves_one(assignment):
    clauses = contract(assignment)
    ids = {item.id for item in load_items(assignment)}
    assert clauses and all(isinstance(clause, str) and clause for clause, _ in clauses)
    for clause, items in clauses:
        assert items and set(items) <= ids, (clause, sorted(set(items) - ids))
    assert set().union(*(set(items) for _, items in clauses)) == ids


def test_the_contract_command_prints_the_tables():
    out = subprocess.run([sys.executable, "-m", "autograder", "contract", "01_sigmoid"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("## 01_sigmoid") and "| clause | items |" in out
