"""The source notebooks' test cells, made from the items: one per item, with its grade_id and points."""
import nbformat

from autograder.course import source_notebook
from autograder.items import cell_id, load_items
from autograder.engine.notebook import is_test_cell


def test_cell_source(item):
    """The test cell of an item. Under nbgrader (the hidden lines restored) it runs the kit's `check`; in
    the released notebook a visible cell calls the setup cell's `check` (the shipped runtime), and a
    hidden cell is only its comment."""
    kit = "from autograder.checks import check"
    call = 'check("%s", "%s")' % (item.assignment, item.id)
    if item.visible:
        return ("# Visible test: %s\n### BEGIN HIDDEN TESTS\n%s\n### END HIDDEN TESTS\n%s"
                % (item.description, kit, call))
    return ("# Hidden test: %s (runs when your notebook is graded)\n"
            "### BEGIN HIDDEN TESTS\n%s\n%s\n### END HIDDEN TESTS" % (item.description, kit, call))


def sync_test_cells(assignment, write=True):
    """Make the source notebook's test cells match the items (grade_id, source, points), adding a cell at the
    end of the notebook for an item that has none; returns what differed."""
    path = source_notebook(assignment)
    nb = nbformat.read(path, as_version=4)
    items = {i.cell_id: i for i in load_items(assignment)}
    # A cell may still carry the item's other id (visible ↔ hidden, or from before hidden ids were opaque).
    by_id = {cell_id(i.assignment, i.id, not i.visible): i.cell_id for i in items.values()}
    cells = {by_id.get(c.metadata["nbgrader"]["grade_id"], c.metadata["nbgrader"]["grade_id"]): c
             for c in nb.cells if is_test_cell(c)}
    if set(cells) - set(items):
        raise ValueError("%s: test cells %s have no item in %s/items.py: delete the cells "
                         "or restore the items" % (path, sorted(set(cells) - set(items)), assignment))
    changed = []
    for ident in [i for i in items if i not in cells]:          # a new item: its cell goes at the end
        cells[ident] = nbformat.v4.new_code_cell("", metadata={"nbgrader": {
            "grade": True, "grade_id": ident, "locked": True, "points": items[ident].max_points, "schema_version": 3,
            "solution": False, "task": False}})
        nb.cells.append(cells[ident])
    for ident, cell in cells.items():
        item, meta = items[ident], cell.metadata["nbgrader"]
        if (cell.source, meta.get("points"), meta["grade_id"]) != (test_cell_source(item), item.max_points, ident):
            changed.append(item.id)
            cell.source, meta["points"], meta["grade_id"] = test_cell_source(item), item.max_points, ident
    if changed and write:
        nbformat.write(nb, path)
    return changed
