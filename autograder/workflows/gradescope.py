"""Gradescope autograders: `build` writes gradescope/<id>.zip per assignment; `main` is what the zip's
run_autograder runs for each submission (/autograder/submission → /autograder/results/results.json).

A zip holds only what grading its assignment needs: the kit modules the grader imports (found by
ModuleFinder from this module and the assignment's suite), the worker, the released notebook, the
assignment's data files, grading_config.py, the pinned requirements and the two scripts of
`gradescope_template/`. `gradescope.json` names the assignment and the cell ids only its notebook has.
"""
import json
import re
import sys
import time
import traceback
import zipfile
from datetime import timedelta
from modulefinder import ModuleFinder
from pathlib import Path

from nbgrader.utils import parse_utc

import grading_config

from autograder.course import ASSIGNMENT_FILES, ROOT, WORKER, release_notebook
from autograder.nbgrader_bridge.gradebook import late_penalty
from autograder.engine.grading import NotebookResult, _fingerprints, grade_notebook, not_graded
from autograder.items import assignment_ids, load_items
from autograder.engine.notebook import NotebookError, grade_ids, read_submission
from autograder.outputs.files import write_json_file
from autograder.outputs.results import gradescope
from autograder.engine.worker_process import Limits

TEMPLATE = Path(__file__).with_name("gradescope_template")
SCRIPTS = ("setup.sh", "run_autograder")
REQUIREMENTS = ("requirements.txt", "constraints.txt")      # the runtime pins (constraints if present)
OUT = ROOT / "gradescope"
SETTINGS = "gradescope.json"
# Per assignment: the item whose message carries the leaderboard's value, the column, how to read it.
LEADERBOARD = {"07_keras_mnist": ("test_accuracy", "Test accuracy", re.compile(r"test accuracy ([0-9.]+)"))}
IGNORED = ("__MACOSX", ".ipynb_checkpoints")


def zip_entries(assignment):
    """{name in the zip: file on disk} of the assignment's autograder."""
    finder = ModuleFinder(path=[str(ROOT)])        # the kit's own modules only: nothing else is scanned
    for module in ("autograder.workflows.gradescope", "autograder.suites.%s.items" % assignment):
        finder.import_hook(module)
    files = {Path(m.__file__) for m in finder.modules.values() if m.__file__}
    files |= set(WORKER.glob("*.py")) | set(ASSIGNMENT_FILES.get(assignment, {})) | {release_notebook(assignment)}
    files |= {ROOT / name for name in REQUIREMENTS if (ROOT / name).is_file()}
    entries = {f.relative_to(ROOT).as_posix(): f for f in files}
    entries.update({name: TEMPLATE / name for name in SCRIPTS})
    return dict(sorted(entries.items()))


def foreign_files(assignment, names):
    """The names (in a zip) that belong to another assignment: only a suite that this one's imports."""
    others = [a for a in assignment_ids() if a != assignment]
    return [n for n in names if any(a in n for a in others)]


def build(assignments=None, out=OUT):
    """Write <out>/<id>.zip for each assignment (default: all); returns their paths."""
    paths = []
    for assignment in assignments or assignment_ids():
        if not release_notebook(assignment).is_file():
            raise FileNotFoundError("%s is not released: run `make release` first" % release_notebook(assignment))
        settings = {"assignment": assignment, "cell_ids": sorted(_fingerprints()[assignment])}
        path = Path(out) / ("%s.zip" % assignment)
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, source in zip_entries(assignment).items():
                zf.write(source, name)
            zf.writestr(SETTINGS, json.dumps(settings, indent=1) + "\n")
        paths.append(path)
    return paths


def submitted_notebook(folder, assignment):
    """(the one notebook in the submission folder, None), or (None, why it cannot be graded)."""
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file() and not set(IGNORED) & set(p.parts))
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    wanted = (grading_config.GRADESCOPE.get("file_name") or "").format(assignment=assignment)
    upload = wanted or "the notebook of %s" % assignment
    if not notebooks:
        got = ", ".join(p.name for p in files) or "no files"
        return None, "your submission has no notebook (.ipynb) (it has %s): upload %s" % (got, upload)
    if len(notebooks) > 1:
        return None, "your submission has %d notebooks (%s): upload only %s" % (
            len(notebooks), ", ".join(p.name for p in notebooks), upload)
    if wanted and notebooks[0].name != wanted:
        return None, "your notebook is named %s: name it %s and submit again" % (notebooks[0].name, wanted)
    return notebooks[0], None


def other_assignment(path, settings):
    """Why a readable notebook is not this assignment's (it has none of its cells), or None."""
    try:
        nb = read_submission(path, Limits.for_assignment(settings["assignment"]).notebook_mb)
    except (NotebookError, OSError):
        return None                 # grade_notebook says what is wrong with the file
    if not grade_ids(nb) & set(settings["cell_ids"]):
        return ("this notebook has none of the cells of %s's notebook: it belongs to another assignment, or "
                "was not started from the released %s.ipynb" % (settings["assignment"], settings["assignment"]))
    return None


def grade(folder, settings):
    """The NotebookResult of the submission in `folder`: graded, or every item at 0 with the reason."""
    assignment = settings["assignment"]
    path, problem = submitted_notebook(folder, assignment)
    problem = problem or other_assignment(path, settings)
    if problem:
        return not_graded(NotebookResult("submission", assignment, str(path or folder), []),
                          load_items(assignment), problem)
    return grade_notebook(path, assignment, student="submission")


def extension(metadata):
    """A Gradescope extension: how much later a user's own due date is than the assignment's, or None."""
    due = (metadata.get("assignment") or {}).get("due_date")
    own = [u["assignment"]["due_date"] for u in metadata.get("users") or []
           if (u.get("assignment") or {}).get("due_date")]
    if not (due and own):
        return None
    return max(timedelta(0), max(parse_utc(d) for d in own) - parse_utc(due))


def results_json(result, metadata):
    """Gradescope's results.json for a NotebookResult: reports.gradescope, plus status, tags and the
    configured visibility of hidden items, the late penalty (submission_metadata.json's created_at under
    LATE_POLICY) and the assignment's leaderboard."""
    data = gradescope(result)
    hidden = grading_config.GRADESCOPE["hidden_visibility"]
    for test, item in zip(data["tests"], result.items):
        test.update(status="passed" if item.status in ("passed", "excused", "graded") else "failed",
                    visibility="visible" if item.visible else hidden,
                    tags=[item.status, "visible" if item.visible else "hidden"])
    days, lost = late_penalty(result.assignment, metadata.get("created_at"), extension(metadata))
    data["score"] = round(result.score * (1 - lost), 2)
    del data["max_score"]               # not a key of Gradescope's results.json
    lines = ["%s: %g/%g points" % (result.assignment, result.score, result.max_score)]
    if lost:
        lines.append("Submitted %d day%s late: the late policy takes %g%% of your score, %g → %g." % (
            days, "s" if days > 1 else "", lost * 100, result.score, data["score"]))
    data["output"] = "\n".join(lines + [data["output"]])
    data.update(visibility="visible", stdout_visibility="hidden")
    if result.assignment in LEADERBOARD:
        item, name, pattern = LEADERBOARD[result.assignment]
        found = pattern.search(next((i.message for i in result.items if i.item == item), ""))
        data["leaderboard"] = [{"name": name, "value": float(found.group(1)) if found else 0.0, "order": "desc"}]
    return data


def load_metadata(path):
    """submission_metadata.json as a dict ({} if missing or unreadable: then nothing is late)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def main(argv=None):
    """Grade <root>/submission (root: argv[0], default /autograder) → <root>/results/results.json."""
    root = Path((argv or sys.argv[1:] or ["/autograder"])[0])
    start = time.monotonic()
    try:
        settings = json.loads((ROOT / SETTINGS).read_text())
        data = results_json(grade(root / "submission", settings), load_metadata(root / "submission_metadata.json"))
    except Exception as exc:        # the grader itself broke: a score of 0 and a message, the traceback in stdout
        traceback.print_exc(file=sys.stdout)
        data = {"score": 0, "tests": [], "visibility": "visible", "stdout_visibility": "hidden",
                "output": "The autograder failed (not your fault; tell the instructor): %s: %s"
                          % (type(exc).__name__, exc)}
    data["execution_time"] = round(time.monotonic() - start)
    write_json_file(root / "results" / "results.json", data)
    print("score %s; results in %s" % (data["score"], root / "results" / "results.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
