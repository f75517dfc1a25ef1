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
