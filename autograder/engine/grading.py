"""Grade one submitted notebook: read it, run it in a worker, run the items, collect results."""
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from autograder.course import release_notebook
from autograder.items import ItemResult, assignment_ids, load_items, prepare, run_item, settle_dependencies
from autograder.engine.namespaces import RemoteNamespace
from autograder.engine.notebook import NotebookError, code_cells, grade_ids, read_submission, restore_protected_cells
from autograder.engine.worker_process import Limits, Worker, preload_for, start_zygotes


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


class NotGradable(Exception):
    """A user's mistake (a missing path, a notebook of no known assignment); the message says what to do."""


def nbgrader_layout(path):
    """(student, assignment) of nbgrader's layout submitted/<student>/<assignment>/<file>.ipynb, else None."""
    parts = Path(path).parts
    if len(parts) >= 4 and parts[-4] == "submitted" and parts[-2] in assignment_ids():
        return parts[-3], parts[-2]
    return None


@lru_cache(maxsize=None)
def _fingerprints():
    """{assignment: the grade_ids of its released notebook that no other assignment's notebook has}
    (assignments not released yet have none)."""
    ids = {a: grade_ids(read_submission(release_notebook(a), Limits.for_assignment(a).notebook_mb))
           for a in assignment_ids() if release_notebook(a).exists()}
    return {a: mine - set().union(*(theirs for b, theirs in ids.items() if b != a)) for a, mine in ids.items()}


def assignment_of(nb):
    """The assignment whose nbgrader cell ids the notebook carries (most of them, if it mixes several), or None."""
    ids = grade_ids(nb)
    overlap = {a: len(ids & unique) for a, unique in _fingerprints().items()}
    best = max(overlap.values(), default=0)
    winners = [a for a, n in overlap.items() if n == best]
    return winners[0] if best and len(winners) == 1 else None


def find_notebooks(paths):
    """Notebook files among `paths`, folders searched recursively (checkpoints skipped)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if not inside:
                raise NotGradable("%s: no notebooks in this folder" % path)
            found += inside
        elif path.exists():
            found.append(path)
        else:
            raise NotGradable("%s: no such file or folder" % path)
    return found


def not_graded(result, items, note):
    """`result` with every item at 0 points for the reason in `note`."""
    result.notes.append("Not graded: %s" % note)
    result.items = [ItemResult(i.id, 0.0, i.max_points, "failed", "not graded (see the note above)", i.visible, 0.0,
                               description=i.description) for i in items]
    return result


def grade_notebook(path, assignment=None, visible_only=False, student=None):
    """Grade one notebook. The assignment is the one its cell ids name; `assignment` (or the folder of
    nbgrader's layout), when given, is what it must be. The student is `student`, else nbgrader's
    layout's, else the file's stem. Raises NotGradable (its message without the path) when no
    assignment can be told."""
    start = time.monotonic()
    layout = nbgrader_layout(path)
    student = student or (layout[0] if layout else Path(path).stem)
    expected = assignment or (layout[1] if layout else None)
    try:
        nb = read_submission(path, Limits.for_assignment(expected).notebook_mb)
    except (NotebookError, OSError) as exc:
        if expected is None:
            raise NotGradable(str(exc)) from None
        nb, found, problem = None, None, str(exc)
    else:
        found = assignment_of(nb)
        if expected is None and found is None:
            raise NotGradable("the notebook has none of the cell ids of this course's assignments (%s): start "
                              "from the released notebook, or pass --assignment" % ", ".join(assignment_ids()))
        problem = ("this is %s's notebook, not %s's" % (found, expected)
                   if expected and found and found != expected else None)
    assignment = expected or found
    items = [i for i in load_items(assignment) if i.visible or not visible_only]
    result = NotebookResult(student, assignment, str(path), [])
    if problem:
        not_graded(result, items, problem)
    else:
        _run(result, nb, items)
    result.seconds = round(time.monotonic() - start, 2)
    return result


def _run(result, nb, items):
    """Run the notebook in a worker (protected cells restored first) and its items against it; the suite
    prepares its data while the worker starts."""
    limits, preload = Limits.for_assignment(result.assignment), preload_for(result.assignment)
    start_zygotes(preload)
    released = read_submission(release_notebook(result.assignment), limits.notebook_mb)
    result.notes += restore_protected_cells(nb, released)
    with ThreadPoolExecutor(1) as background:
        prepared = background.submit(prepare, result.assignment)
        with Worker(code_cells(nb), limits, preload) as worker:
            prepared.result()
            result.notes.insert(0, worker.protections())
            for index, error in sorted(worker.cell_reports.items()):
                result.notes.append("Cell %d failed when run: %s" % (index, error.splitlines()[0]))
            namespace = RemoteNamespace(worker)
            result.items = settle_dependencies(items, [run_item(i, namespace) for i in items])
            result.output = worker.output()
            result.peak_mb = worker.peak_mb()
