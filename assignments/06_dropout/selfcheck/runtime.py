"""Students' visible checks: a notebook cell runs `check("01_sigmoid", "sigmoid_values")`.

This package is shipped beside each released notebook as `selfcheck/` (numpy only), with
`checks.json`: the assignment's visible items compiled to programs (`program.py`), their points and
descriptions. `check` runs one program against the notebook's own globals, exactly as the course's
grader runs it, and prints the same verdict, points and message. Nothing of the hidden tests or
the reference solution is here: only inputs, expected values, tolerances and messages.
"""
import json
import os
import sys

from . import program
from .failures import ItemFailure
from .namespace import LocalNamespace

COMPILED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks.json")


def run(steps, nb):
    """(status, message) of one compiled item: "passed", "failed" (the answer) or "error" (the check broke)."""
    try:
        program.run(steps, nb)
    except (ItemFailure, AssertionError) as exc:
        return "failed", str(exc) or "the check failed"
    except Exception as exc:
        return "error", ("the grader itself failed on this item (not your fault; tell the instructor): %s: %s"
                         % (type(exc).__name__, exc))
    return "passed", ""


def verdict(item_id, description, points, status, message):
    """The lines a check cell prints (also the kit's nbgrader cells for a passed item)."""
    plural = "" if points == 1 else "s"
    if status == "passed":
        return "✓ %s — %s (%g point%s)" % (item_id, description, points, plural)
    return "✗ %s — 0/%g point%s\n%s" % (item_id, points, plural, message)


def check(assignment, item_id, namespace=None):
    """Run one visible item on the caller's notebook and print its verdict; returns the points earned."""
    namespace = sys._getframe(1).f_globals if namespace is None else namespace
    with open(COMPILED, encoding="utf-8") as f:
        compiled = json.load(f)
    item = compiled["items"].get(item_id)
    if compiled["assignment"] != assignment or item is None:
        print("This selfcheck/ folder holds the visible checks of %s, not %s/%s: use the folder that came "
              "with this notebook." % (compiled["assignment"], assignment, item_id))
        return 0
    nb = LocalNamespace(namespace, call_timeout=compiled["call_timeout"])
    status, message = run(program.decode(item["program"]), nb)
    print(verdict(item_id, item["description"], item["points"], status, message))
    return item["points"] if status == "passed" else 0
