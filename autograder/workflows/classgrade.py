"""Grade a whole class: every submission, on all cores or a Dask cluster, resumable and incremental.

Each submission's result is one JSON file (`reports/students/<assignment>/<student>.json`), written
atomically, with each item's status and earned fraction and a stamp in two parts:

- `grading`: what decides each item's outcome: the notebook, the code that grades the assignment (its
  suite, the files that suite and the grader import, the worker package), the released notebook and the
  assignment's grading settings (limits, TOLERANCE, item ids, and for 07 its budget and thresholds);
- `scoring`: what turns outcomes into points: the items' points, the due date, LATE_POLICY.

A later run compares each stamp with the current files and config: a `grading` change re-runs that
submission; a `scoring` change re-scores it from the stored fractions without running student code
(late penalties are applied to stored scores whenever reports are written); otherwise it is kept. A
killed run loses only the submissions in flight; a result stored without a stamp (an older kit) is
regraded.
"""
import ast
import hashlib
import json
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

import grading_config

from autograder.course import ROOT, release_notebook
from autograder.engine.grading import NotebookResult, find_notebooks, grade_notebook
from autograder.items import ItemResult, assignment_ids, earned, load_items, settings
from autograder.outputs.results import result_path, write_result

MAX_TRIES = 2          # a grading process that dies takes its in-flight submissions with it
PACKAGE = ROOT / "autograder"


@dataclass(frozen=True)
class Task:
    path: str
    student: str
    assignment: str
    result_path: str


@dataclass
class Step:
    """What this run does with one submission, and why: "grade" or "regrade" (run it), "rescore" or "keep"."""
    task: Task
    stamp: dict
    action: str
    reasons: list
    stored: NotebookResult = None


def _digest(data):
    return hashlib.sha256(data).hexdigest()[:16]


def _imported_files(path):
    """The kit's own source files that a source file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = path.parents[node.level - 1].joinpath(*(node.module or "").split("."))
            elif (node.module or "").split(".")[0] == "autograder":
                base = ROOT.joinpath(*node.module.split("."))
            else:
                continue
            candidates = [base.with_suffix(".py"), base / "__init__.py"] + [base / (a.name + ".py") for a in node.names]
        elif isinstance(node, ast.Import):
            candidates = [ROOT.joinpath(*a.name.split(".")).with_suffix(".py") for a in node.names
                          if a.name.split(".")[0] == "autograder"]
        else:
            continue
        found.update(c for c in candidates if c.is_file())
    return found


def grading_files(assignment):
    """The source files that decide an assignment's item outcomes: its suite, the grader, the worker
    package, and everything they import from the kit."""
    todo = [PACKAGE / "engine" / "grading.py", PACKAGE / "suites" / assignment / "items.py"]
    todo += [p for p in (PACKAGE / "worker").iterdir() if p.is_file()]
    seen = set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            if path.suffix == ".py":
                todo += _imported_files(path)
    return sorted(seen)


def grading_stamp(assignment):
    """Everything besides the notebook that decides an assignment's item outcomes (readable, comparable)."""
    current = settings(assignment)
    config = {k: v for k, v in current.items() if k not in ("title", "due", "points")}
    config.update(items=sorted(current["points"]), TOLERANCE=grading_config.TOLERANCE)
    released = release_notebook(assignment)
    return {"code": {p.relative_to(ROOT).as_posix(): _digest(p.read_bytes()) for p in grading_files(assignment)},
            "released_notebook": _digest(released.read_bytes()) if released.is_file() else None,
            "config": config}


def scoring_stamp(assignment):
    """What turns stored item outcomes into points and late penalties."""
    current = settings(assignment)
    return {"points": current["points"], "due_date": current.get("due"), "LATE_POLICY": grading_config.LATE_POLICY}


def grading_changes(assignment, old, new):
    """Why an item outcome may differ: the changed parts of two grading stamps, in words."""
    reasons = []
    if old["notebook"] != new["notebook"]:
        reasons.append("notebook changed")
    suite = "autograder/suites/%s/items.py" % assignment
    code = sorted(f for f in set(old["code"]) | set(new["code"]) if old["code"].get(f) != new["code"].get(f))
    if suite in code:
        reasons.append("suite %s/items.py changed" % assignment)
    engine = [f for f in code if f != suite]
    if engine:
        more = " and %d more" % (len(engine) - 3) if len(engine) > 3 else ""
        reasons.append("grading code changed (%s%s)" % (", ".join(engine[:3]), more))
    if old["released_notebook"] != new["released_notebook"]:
        reasons.append("released notebook of %s changed" % assignment)
    return reasons + config_changes(assignment, old["config"], new["config"])


def config_changes(assignment, old, new):
    """The changed settings of two config parts of stamps, in words (upper case: a course-wide setting)."""
    return ["grading_config.py: %s changed"
            % (key if key.isupper() else "%s of %s" % (key.replace("_", " "), assignment))
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def decide(task, stamp):
    """The Step for one submission: compare its stored stamp with the current one."""
    if not Path(task.result_path).exists():
        return Step(task, stamp, "grade", ["not graded yet"])
    try:
        data = json.loads(Path(task.result_path).read_text())
        stored = NotebookResult.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return Step(task, stamp, "regrade", ["stored result unreadable"])
    try:
        old = data["stamp"]
        regrade = grading_changes(task.assignment, old["grading"], stamp["grading"])
        rescoring = config_changes(task.assignment, old["scoring"], stamp["scoring"])
    except (KeyError, TypeError, AttributeError):
        return Step(task, stamp, "regrade", ["stored result has no stamp of this kit (graded by an older one)"])
    if regrade:
        return Step(task, stamp, "regrade", regrade)
    return Step(task, stamp, "rescore" if rescoring else "keep", rescoring, stored)


def plan(submitted, reports, say=None):
    """A Step per notebook in `submitted` (<submitted>/<student>/<assignment>/<file>.ipynb); any other
    notebook there is left out, and `say` is told why."""
    steps, stamps = [], {}
    for path in find_notebooks([submitted]):
        where = Path(path).relative_to(submitted).parts
        if len(where) != 3 or where[1] not in assignment_ids():
            if say:
                say("%s: left out: not in <student>/<assignment>/ of a known assignment" % path)
            continue
        student, assignment = where[0], where[1]
        if assignment not in stamps:      # as it reads back from JSON, to compare with stored stamps
            stamps[assignment] = json.loads(json.dumps(
                {"grading": grading_stamp(assignment), "scoring": scoring_stamp(assignment)}))
        stamp = dict(stamps[assignment], grading=dict(stamps[assignment]["grading"],
                                                        notebook=_digest(Path(path).read_bytes())))
        task = Task(str(path), student, assignment, str(result_path(reports, assignment, student)))
        steps.append(decide(task, stamp))
    return steps


def describe(steps):
    """What a run is about to do, one line per (reason, assignment), then a summary line."""
    verbs = {"grade": "grading %d submission%s of %s", "regrade": "regrading %d submission%s of %s",
             "rescore": "re-scoring %d submission%s of %s without running them"}
    groups = Counter((s.action, "; ".join(s.reasons), s.task.assignment) for s in steps if s.action != "keep")
    lines = ["%s → %s" % (why, verbs[action] % (n, "" if n == 1 else "s", assignment))
             for (action, why, assignment), n in sorted(groups.items(), key=lambda g: (g[0][2], g[0][0], g[0][1]))]
    count = Counter(s.action for s in steps)
    if count["keep"] == len(steps):
        return lines + ["autograde: nothing to do: all %d stored results are up to date" % len(steps)]
    return lines + ["autograde: %d to grade (running student code), %d to re-score (no code runs), %d up to date"
                    % (count["grade"] + count["regrade"], count["rescore"], count["keep"])]


def rescore(result, points):
    """A stored result with each item's earned fraction applied to its (new) points."""
    items = [replace(i, points=earned(points[i.item], i.fraction), max_points=points[i.item]) for i in result.items]
    return replace(result, items=items)


def grade_task(task):
    """Grade one submission (in a pool process or on a Dask worker); never raises."""
    try:
        result = grade_notebook(task.path, task.assignment, student=task.student)
    except Exception as exc:      # the kit itself failed: record it for this submission only
        result = crashed(task, "the grader failed on this notebook: %s: %s" % (type(exc).__name__, exc))
    return result.to_dict()


def crashed(task, message):
    items = [ItemResult(i.id, 0.0, i.max_points, "error", message, i.visible, 0.0, description=i.description)
             for i in load_items(task.assignment)]
    return NotebookResult(task.student, task.assignment, task.path, items, ["Not graded: " + message])


def save(step, data):
    """Store a result dict with the step's stamp; returns the result."""
    write_result(step.task.result_path, dict(data, stamp=step.stamp))
    return NotebookResult.from_dict(data)


def grade_class(submitted, reports, jobs=None, scheduler=None, progress=True, say=None):
    """Grade what changed since the last run and re-score what only needs new points; returns every
    submission's result (old and new). `say`, if given, gets the plan's lines before anything runs."""
    for leftover in Path(reports).glob("students/*/.*.tmp*"):    # from a run killed mid-write
        leftover.unlink()
    steps = plan(submitted, reports, say)
    if say:
        for line in describe(steps):
            say(line)
    results = {}
    for step in steps:
        if step.action == "keep":
            results[step.task] = step.stored
        elif step.action == "rescore":
            results[step.task] = save(step, rescore(step.stored, step.stamp["scoring"]["points"]).to_dict())
    todo = {s.task: s for s in steps if s.action in ("grade", "regrade")}
    bar = tqdm(total=len(steps), initial=len(results), unit="notebook", disable=not progress,
               desc="grading", dynamic_ncols=True)
    failures = 0
    run = _run_on_dask if scheduler else _run_locally
    for task, data in run(list(todo), jobs, scheduler):
        results[task] = save(todo[task], data)
        failures += results[task].score < results[task].max_score
        bar.set_postfix(not_full_marks=failures, refresh=False)
        bar.update()
    bar.close()
    return [results[s.task] for s in steps]


def load_results(reports):
    """Every stored result under `reports/students/`."""
    return [NotebookResult.from_dict(json.loads(p.read_text()))
            for p in sorted(Path(reports).glob("students/*/*.json"))]


def _run_locally(tasks, jobs, _scheduler):
    """Yield (task, result dict) as local processes finish them; survive a dying pool process."""
    tries = {task: 0 for task in tasks}
    pending = list(tasks)
    while pending:
        with ProcessPoolExecutor(max_workers=jobs or os.cpu_count()) as pool:
            futures = {pool.submit(grade_task, task): task for task in pending}
            pending = []
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield task, future.result()
                except BrokenProcessPool:
                    tries[task] += 1
                    if tries[task] < MAX_TRIES:
                        pending.append(task)
                    else:
                        yield task, crashed(task, "the grading process died twice").to_dict()


def _run_on_dask(tasks, _jobs, scheduler):
    """Yield (task, result dict) as a Dask cluster at `scheduler` finishes them."""
    from distributed import Client, as_completed as dask_completed

    with Client(scheduler) as client:
        futures = client.map(grade_task, tasks, pure=False)
        by_key = dict(zip((f.key for f in futures), tasks))
        for future in dask_completed(futures):
            yield by_key[future.key], future.result()
