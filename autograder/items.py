"""The course's assignments and their graded items.

Each assignment is a folder, `autograder/suites/<id>/`, holding everything private to it: `items.py`
(its `ASSIGNMENT` settings — title, due date, anything its items read — and its items), its sample class
(`samples.toml`) and its own tests. The course is those folders, in the order `grading_config.ASSIGNMENTS`
lists them (a folder it does not list comes after, by id); an entry there overrides the folder's settings
and its items' points.

An item is `test_<id>(nb)`, declared with `@item(points=...)`; `nb` is a `StudentNamespace`. It passes by
returning None, earns partial credit by returning a fraction in [0, 1] (with `PartialCredit`, which carries
the message), and fails by raising `ItemFailure` (or any AssertionError) with a teaching message. Items
declared `visible=True` may be run by students before submitting: those are compiled to data
(`autograder.engine.visible`) and always run as their program, here and in the students' runtime alike.
"""
import hashlib
import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import grading_config

from autograder.engine import visible as compiler
from autograder.worker import program

SUITES = Path(__file__).parent / "suites"


def item(points, visible=False, after=()):
    """Declare a graded item worth `points`: `visible=True` for one students may run before submitting,
    `after=(item ids)` for one that runs on the student's results of the functions those items test (e.g.
    backward items on forward's cache, which the contract leaves to the student; see `settle_dependencies`)."""
    def mark(func):
        func.item = {"points": points, "visible": visible, "after": tuple(after)}
        return func
    return mark


class PartialCredit(float):
    """A fraction of an item's points, with the reason: `return PartialCredit(0.4, "accuracy 0.91 ...")`."""

    def __new__(cls, fraction, message):
        value = super().__new__(cls, min(1.0, max(0.0, float(fraction))))
        value.message = message
        return value


@dataclass(frozen=True)
class Item:
    assignment: str
    id: str
    max_points: float     # what the item is worth (an ItemResult's `points` are what it earned)
    visible: bool
    description: str
    func: object = field(repr=False, compare=False)
    after: tuple = ()         # items whose function this item's checks run on (see `item`)

    @property
    def cell_id(self):
        return cell_id(self.assignment, self.id, self.visible)


@dataclass
class ItemResult:
    item: str
    points: float
    max_points: float
    status: str           # "passed", "partial", "failed" (the answer), "error" (the grader itself broke),
    #                       "excused" (failed where an item it depends on fails, under DEPENDENT_ITEMS = "excuse")
    message: str
    visible: bool
    seconds: float
    fraction: float = 0.0  # of max_points earned: re-scoring applies changed points to it
    description: str = ""  # what the item checks (its one line), so that no output re-imports the suite

    @property
    def passed(self):
        return self.status == "passed"


class ConfigError(Exception):
    """An assignment's items.py, or grading_config.py's overrides of it, cannot be used as they are."""


def cell_id(assignment, item_id, visible):
    """The nbgrader grade_id of an item's test cell: the item id if visible, else an opaque one, so the
    released notebook (which keeps every grade_id) names no hidden item."""
    if visible:
        return item_id
    return "hidden-" + hashlib.sha256(("%s/%s" % (assignment, item_id)).encode()).hexdigest()[:10]


def assignment_ids():
    """The course's assignments: grading_config.ASSIGNMENTS's order, then folders it does not list, by id."""
    found = sorted(p.parent.name for p in SUITES.glob("*/items.py"))
    listed = [a for a in grading_config.ASSIGNMENTS if a in found]
    return listed + [a for a in found if a not in listed]


def suite(assignment):
    """The assignment's `items.py` module."""
    if assignment not in assignment_ids():
        raise ConfigError("unknown assignment %r; known: %s" % (assignment, ", ".join(assignment_ids())))
    return importlib.import_module("autograder.suites.%s.items" % assignment)


def _tests(module):
    """{item id: its function}: the `test_<id>` functions of an items.py, in the order it defines them."""
    return {name[5:]: f for name, f in vars(module).items() if name.startswith("test_") and callable(f)}


def settings(assignment):
    """The assignment's settings: its folder's `ASSIGNMENT` (title, due, ...), with grading_config's
    overrides; "limits" are the course's LIMITS updated by both, "points" {item: points} by both."""
    module = suite(assignment)
    override = grading_config.ASSIGNMENTS.get(assignment) or {}
    merged = {**module.ASSIGNMENT, **override}
    merged["limits"] = {**grading_config.LIMITS, **module.ASSIGNMENT.get("limits", {}), **override.get("limits", {})}
    points = {ident: f.item["points"] for ident, f in _tests(module).items() if hasattr(f, "item")}
    unknown = set(override.get("points", {})) - set(points)
    if unknown:
        raise ConfigError("grading_config.ASSIGNMENTS[%r] gives points to %s, which %s/items.py does not declare"
                          % (assignment, sorted(unknown), assignment))
    merged["points"] = {**points, **override.get("points", {})}
    return merged


def setting(assignment, key, default=None):
    """One of the assignment's settings (`settings`); `default` if the course has no such assignment
    (a result or notebook naming one) or the assignment no such setting."""
    return settings(assignment).get(key, default) if assignment in assignment_ids() else default


def load_items(assignment):
    """The assignment's items, in the order items.py defines them."""
    tests = _tests(suite(assignment))
    undeclared = [ident for ident, func in tests.items() if not hasattr(func, "item")]
    if undeclared:
        raise ConfigError("%s/items.py: test_%s lacks @item(points=...)" % (assignment, ", test_".join(undeclared)))
    for ident, func in tests.items():
        unknown = set(func.item["after"]) - set(tests)
        if unknown:
            raise ConfigError("%s: item %s depends on %s: no such items" % (assignment, ident, sorted(unknown)))
    points = settings(assignment)["points"]
    return [Item(assignment, ident, points[ident], func.item["visible"],
                 (func.__doc__ or ident).strip().splitlines()[0], func, func.item["after"])
            for ident, func in tests.items()]


def contract(assignment):
    """The suite's CONTRACT: [(clause of the notebook's contract, [ids of the items exercising it]), ...]."""
    return suite(assignment).CONTRACT


def prepare(assignment):
    """Run the suite's optional `prepare()` (loading data its items need), e.g. while a worker starts."""
    getattr(suite(assignment), "prepare", lambda: None)()


def earned(max_points, fraction):
    """The points a fraction of an item's max_points is worth (when graded and when re-scored)."""
    return round(max_points * fraction, 2)


def run_item(item, nb):
    """Run one item against a student namespace; never raises."""
    start = time.monotonic()
    fraction = 1.0
    try:
        outcome = program.run(program.decode(compiler.compile_item(item)), nb) if item.visible else item.func(nb)
        status, message = "passed", ""
        if isinstance(outcome, PartialCredit):
            fraction, message = float(outcome), outcome.message
            status = "passed" if fraction == 1.0 else "partial" if fraction > 0 else "failed"
    except AssertionError as exc:
        status, message = "failed", str(exc) or "the check failed"
    except Exception as exc:       # the item's own code broke: say so, without the suite's source
        status = "error"
        message = ("the grader itself failed on this item (not your fault; tell the instructor): %s: %s"
                   % (type(exc).__name__, exc))
    fraction = fraction if status in ("passed", "partial") else 0.0
    return ItemResult(item.id, earned(item.max_points, fraction), item.max_points, status, message, item.visible,
                      round(time.monotonic() - start, 3), fraction, item.description)


def settle_dependencies(items, results):
    """One bug, one loss: a result that lost points while an item it depends on (`after`) lost points
    too says so first, and under DEPENDENT_ITEMS = "excuse" keeps its points (status "excused")."""
    by_id = {r.item: r for r in results}
    for item in items:
        result = by_id.get(item.id)
        failing = [d for d in item.after if d in by_id and by_id[d].status in ("partial", "failed", "error")]
        if not (result and failing and result.status in ("partial", "failed")):
            continue
        note = ("Item%s %s, which this one builds on, fail%s too: fix %s first.\n"
                % ("s" if len(failing) > 1 else "", ", ".join(failing), "" if len(failing) > 1 else "s",
                   "them" if len(failing) > 1 else "it"))
        result.message = note + result.message
        if getattr(grading_config, "DEPENDENT_ITEMS", "charge") == "excuse":
            result.status, result.fraction = "excused", 1.0
            result.points = earned(item.max_points, 1.0)
    return results
