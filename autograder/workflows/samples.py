"""The sample class: submissions that show what the grader does, declared as changes to the reference.

`autograder/suites/<id>/samples.toml` has one table per sample student:

    [bug-overflow]
    lost = "sigmoid_extreme sigmoid_prime_values"   # the items it loses: ids, `*` for all, `item:0.62`
    what = "1/(1+exp(-z)) overflows for z < -709"  # why, in words           for a fraction kept
    [bug-overflow.cells]
    sigmoid = '''                                    # its solution cells, by grade id, that differ
    def sigmoid(z): ...                              # from the reference's
    '''

A sample is the released notebook with the reference's solutions in it (`base = "release"`: without
them, i.e. the stub) and its `cells` replaced; `broken = "truncated"` makes it half of that file's
bytes (not a notebook). `materialize` writes the notebooks to `course_data/sample_class/<id>/` (they are not committed),
so they always carry the current release's text and test cells. Expected scores follow from the
items' points (after grading_config's overrides), so a course that changes points keeps its sample class right.
"""
import functools
import tomllib

import nbformat

from autograder.course import ROOT, release_notebook, source_notebook
from autograder.items import SUITES, assignment_ids, earned, load_items

SAMPLE_CLASS = ROOT / "course_data" / "sample_class"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def declared(assignment):
    """{student: its table in samples.toml} ({} for an assignment without a sample class)."""
    path = SUITES / assignment / "samples.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def assignments():
    return [a for a in assignment_ids() if (SUITES / a / "samples.toml").exists()]


def kept(assignment, student, table):
    """{item: fraction kept} of the items a sample loses (items not named keep everything)."""
    ids = [item.id for item in load_items(assignment)]
    fractions = {}
    for entry in table.get("lost", "").split():
        item, _, fraction = entry.partition(":")
        for ident in (ids if item == "*" else [item]):
            if ident not in ids:
                raise ValueError("%s/samples.toml: %s loses %r, which is not an item of %s"
                                 % (assignment, student, ident, assignment))
            fractions[ident] = float(fraction or 0)
    return fractions


def expected_scores():
    """{(assignment, student): the score the sample should get under the current points}."""
    expected = {}
    for assignment in assignments():
        items = load_items(assignment)
        for student, table in declared(assignment).items():
            keeps = kept(assignment, student, table)
            expected[(assignment, student)] = sum(earned(i.max_points, keeps.get(i.id, 1.0)) for i in items)
    return expected


@functools.lru_cache(maxsize=None)
def materialize(assignment):
    """Write each declared sample as `course_data/sample_class/<id>/<student>.ipynb` (once per process); returns
    the paths."""
    folder = SAMPLE_CLASS / assignment
    folder.mkdir(parents=True, exist_ok=True)
    release = nbformat.read(release_notebook(assignment), as_version=4)
    reference = {_grade_id(c): _without_markers(c.source)
                 for c in nbformat.read(source_notebook(assignment), as_version=4).cells
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    paths = []
    for student, table in declared(assignment).items():
        nb = nbformat.from_dict(release)      # a copy
        cells = dict(reference) if table.get("base", "reference") == "reference" else {}
        cells.update({ident: source.rstrip("\n") for ident, source in table.get("cells", {}).items()})
        unknown = set(cells) - {_grade_id(c) for c in nb.cells}
        if unknown:
            raise ValueError("%s/samples.toml: %s replaces cells %s, which the notebook does not have"
                             % (assignment, student, sorted(unknown)))
        for cell in nb.cells:
            if _grade_id(cell) in cells:
                cell.source = cells[_grade_id(cell)]
        data = nbformat.writes(nb).encode("utf-8")
        if table.get("broken") == "truncated":
            data = data[:len(data) // 2]
        path = folder / ("%s.ipynb" % student)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        paths.append(path)
    for stale in set(folder.glob("*.ipynb")) - set(paths):       # a sample no longer declared
        stale.unlink()
    return paths


def materialize_all():
    return [path for assignment in assignments() for path in materialize(assignment)]


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _without_markers(source):
    """A solution cell as a student would have written it: the BEGIN/END SOLUTION lines left out."""
    return "\n".join(line for line in source.split("\n") if line.strip() not in SOLUTION_MARKERS)
