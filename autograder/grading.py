"""Grade one submitted notebook: read it, run it in a worker, run the items, collect results."""
import time
from dataclasses import dataclass, field
from pathlib import Path

from .course import release_notebook
from .items import ConfigError, ItemResult, assignment_ids, load_items, run_item
from .namespaces import RemoteNamespace
from .notebook import NotebookError, code_cells, read_submission, restore_protected_cells
from .worker_process import Limits, Worker


@dataclass
class NotebookResult:
    student: str
    assignment: str
    path: str
    items: list
    notes: list = field(default_factory=list)     # notebook-level problems, for the student
    output: str = ""                              # what the student's code printed
    seconds: float = 0.0
    peak_mb: float = None                         # the worker's peak memory

    @property
    def score(self):
        return sum(r.points for r in self.items)

    @property
    def max_score(self):
        return sum(r.max_points for r in self.items)

    def to_dict(self):
        return {"student": self.student, "assignment": self.assignment, "notebook": self.path,
                "score": self.score, "max_score": self.max_score, "notes": self.notes,
                "seconds": self.seconds, "peak_mb": self.peak_mb, "items": [vars(i) for i in self.items],
                "output": self.output}

    @classmethod
    def from_dict(cls, data):
        return cls(data["student"], data["assignment"], data["notebook"],
                   [ItemResult(**i) for i in data["items"]], data["notes"], data["output"], data["seconds"],
                   data.get("peak_mb"))


def identify(path, assignment=None):
    """(student, assignment) from a path: submitted/<student>/<id>/<id>.ipynb or <dir>/<id>/<student>.ipynb."""
    p = Path(path)
    if assignment is None:
        assignment = next((c for c in (p.stem, p.parent.name) if c in assignment_ids()), None)
        if assignment is None:
            raise ConfigError("%s: cannot tell which assignment this is; pass --assignment (one of %s)"
                              % (path, ", ".join(assignment_ids())))
    student = p.parent.parent.name if p.stem == assignment else p.stem
    return student, assignment


def find_notebooks(paths):
    """Notebook files among `paths`, folders searched recursively (checkpoints skipped)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(path)
    return found


def grade_notebook(path, assignment=None, visible_only=False):
    start = time.monotonic()
    student, assignment = identify(path, assignment)
    items = [i for i in load_items(assignment) if i.visible or not visible_only]
    limits = Limits.for_assignment(assignment)
    result = NotebookResult(student, assignment, str(path), [])
    try:
        nb = read_submission(path, limits.notebook_mb)
    except (NotebookError, OSError) as exc:
        result.notes.append("Not graded: %s" % exc)
        result.items = [ItemResult(i.id, 0.0, i.points, "failed", "not graded (see the note above)",
                                   i.visible, 0.0)
                        for i in items]
    else:
        released = read_submission(release_notebook(assignment), limits.notebook_mb)
        result.notes += restore_protected_cells(nb, released)
        with Worker(code_cells(nb), limits) as worker:
            result.notes.insert(0, worker.protections())
            for index, error in sorted(worker.cell_reports.items()):
                result.notes.append("Cell %d failed when run: %s" % (index, error.splitlines()[0]))
            namespace = RemoteNamespace(worker)
            result.items = [run_item(i, namespace) for i in items]
            result.output = worker.output()
            result.peak_mb = worker.peak_mb()
    result.seconds = round(time.monotonic() - start, 2)
    return result
