"""Read a submitted notebook and pick out the code the worker runs."""
import os
import re

import nbformat


class NotebookError(Exception):
    """The file is not a notebook we can grade; the message says why, for the student."""


def read_submission(path, max_mb):
    """Read and validate a notebook (nbformat 3 is upgraded to 4)."""
    size = os.path.getsize(path)
    if size > max_mb * 2**20:
        raise NotebookError("the notebook is %.0f MB, over the %d MB limit; clear large outputs and "
                            "resubmit" % (size / 2**20, max_mb))
    try:
        with open(path, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
    except UnicodeDecodeError:
        raise NotebookError("the file is not UTF-8 text; save it from Jupyter again") from None
    except Exception as exc:        # nbformat raises many types for broken JSON or schema
        raise NotebookError("the file is not a readable notebook (%s: %s); open it in Jupyter, "
                            "save it and resubmit" % (type(exc).__name__, str(exc)[:200])) from None
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise NotebookError("the notebook does not follow the notebook format: %s"
                            % str(exc).splitlines()[0]) from None
    return nb


def is_test_cell(cell):
    """nbgrader's autograder-test cells: graded, not a solution. The grader runs these itself."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


_MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


def code_cells(nb):
    """(index, source) of each code cell the student wrote; IPython magics become `pass`."""
    return [(i, _MAGIC.sub(r"\1pass  # \2", cell.source))
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and not is_test_cell(cell)]


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def grade_ids(nb):
    """The nbgrader grade_ids of the notebook's cells."""
    return {_grade_id(c) for c in nb.cells} - {None}


def _is_protected(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked")) or is_test_cell(cell)


def restore_protected_cells(nb, released):
    """Undo edits to locked and test cells, as nbgrader's autograde does; returns notes for the student.

    `released` is the notebook students were given. A protected cell whose source or type was
    changed is put back; a deleted one is reinserted before the next cell it preceded.
    """
    notes = []
    for n, original in enumerate(released.cells):
        if not _is_protected(original):
            continue
        ident = _grade_id(original)
        mine = next((i for i, c in enumerate(nb.cells) if _grade_id(c) == ident), None)
        if mine is None:
            later = {_grade_id(c) for c in released.cells[n + 1:]} - {None}
            at = next((i for i, c in enumerate(nb.cells) if _grade_id(c) in later), len(nb.cells))
            nb.cells.insert(at, original)
            notes.append("cell '%s' was deleted; restored from the assignment" % ident)
        elif (nb.cells[mine].cell_type, nb.cells[mine].source) != (original.cell_type, original.source):
            nb.cells[mine] = original
            notes.append("cell '%s' was modified; restored from the assignment" % ident)
    return notes
