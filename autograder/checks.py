"""The call in every nbgrader test cell: `check("01_sigmoid", "sigmoid_values")`.

It runs the same item the kit's grader runs, against the notebook's own globals, so nbgrader's
score equals the kit's (a visible item runs its compiled program, as the students' runtime does).
A failed item raises AssertionError with the item's message (nbgrader gives the cell 0 points); a
passed item prints one line to stdout; partial credit is returned as the cell's value, which
nbgrader takes as the cell's points.
"""
import sys

from autograder.items import load_items, run_item
from autograder.worker.namespace import LocalNamespace
from autograder.worker.runtime import verdict


def check(assignment, item_id, namespace=None):
    namespace = sys._getframe(1).f_globals if namespace is None else namespace
    item = next((i for i in load_items(assignment) if i.id == item_id), None)
    if item is None:
        raise LookupError("no item %r in assignment %r" % (item_id, assignment))
    result = run_item(item, LocalNamespace(namespace))
    if result.status == "partial":
        print("◐ %s — %s" % (item_id, result.message))
        return result.points
    if not result.passed:
        raise AssertionError("[%s] %s" % (item_id, result.message))
    print(verdict(item_id, item.description, item.max_points, "passed", ""))
