"""The sample class: submissions that show what the grader does, and what each is expected to lose.

`course_data/sample_class/<id>/expected_scores.csv` has one row per sample notebook: `student`, `lost`
(the items it loses: ids separated by spaces, `*` for every item, `item:0.62` for an item of which it
keeps that fraction; empty for full marks) and `what` (why, in words). Expected scores follow from the
points in `grading_config.py`, so a course that changes points keeps its sample class right.
"""
import copy
import csv
from pathlib import Path

import nbformat

from .course import ROOT, release_notebook
from .items import earned, load_items
from .notebook import is_test_cell

SAMPLE_CLASS = ROOT / "course_data" / "sample_class"


def expectation_files():
    return sorted(SAMPLE_CLASS.glob("*/expected_scores.csv"))


def read_lost(path):
    """{student: {item: fraction kept}} of one expected_scores.csv (items not named keep everything)."""
    assignment = Path(path).parent.name
    ids = [item.id for item in load_items(assignment)]
    lost = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            kept = {}
            for entry in row["lost"].split():
                item, _, fraction = entry.partition(":")
                for ident in (ids if item == "*" else [item]):
                    if ident not in ids:
                        raise ValueError("%s: %s loses %r, which is not an item of %s"
                                         % (path, row["student"], ident, assignment))
                    kept[ident] = float(fraction or 0)
            lost[row["student"]] = kept
    return lost


def expected_scores(paths=None):
    """{(assignment, student): the score the sample should get under the current points}."""
    expected = {}
    for path in paths or expectation_files():
        assignment = Path(path).parent.name
        items = [item for item in load_items(assignment)]
        for student, kept in read_lost(path).items():
            expected[(assignment, student)] = sum(earned(item.points, kept.get(item.id, 1.0)) for item in items)
    return expected


def refresh_test_cells(assignment):
    """Give every sample notebook of `assignment` the released notebook's test cells (same grade ids), as
    a student fetching the assignment would have them; returns the notebooks changed. A sample that is
    not a readable notebook is left as it is (that is its point)."""
    released = {cell.metadata["nbgrader"]["grade_id"]: cell
                for cell in nbformat.read(release_notebook(assignment), as_version=4).cells if is_test_cell(cell)}
    changed = []
    for path in sorted((SAMPLE_CLASS / assignment).glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:           # malformed on purpose
            continue
        stale = False
        for cell in nb.cells:
            new = released.get(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")) \
                if is_test_cell(cell) else None
            if new is not None and (cell.source, cell.metadata) != (new.source, new.metadata):
                cell.source, cell.metadata, stale = new.source, copy.deepcopy(new.metadata), True
        if stale:
            nbformat.write(nb, path)
            changed.append(path)
    return changed
