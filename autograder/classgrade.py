"""Grade a whole class: every submission, on all cores or a Dask cluster, resumable and incremental.

Each submission's result is one JSON file (`reports/students/<assignment>/<student>.json`),
written atomically and stamped with a key: the hash of the notebook, the grading code and
grading_config.py. A later run skips every submission whose key is unchanged, so a killed run
loses only the submissions in flight, and editing a test or the config regrades everything it
touches.
"""
import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tqdm import tqdm

from .course import ROOT
from .grading import NotebookResult, find_notebooks, grade_notebook, identify
from .items import ItemResult, load_items
from .reports import _atomic_write

MAX_TRIES = 2          # a grading process that dies takes its in-flight submissions with it


@dataclass(frozen=True)
class Task:
    path: str
    student: str
    assignment: str
    key: str
    result_path: str


@lru_cache(maxsize=None)
def grading_code_digest():
    """Hash of everything that decides a score besides the notebook: the kit's code and config."""
    digest = hashlib.sha256()
    files = sorted(p for p in (ROOT / "autograder").rglob("*.py") if "tests" not in p.parts)
    for path in files + [ROOT / "grading_config.py"]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def submission_key(path):
    return hashlib.sha256(grading_code_digest().encode() + Path(path).read_bytes()).hexdigest()[:32]


def stored(task):
    """The stored result for a task if it is up to date, else None."""
    try:
        data = json.loads(Path(task.result_path).read_text())
    except (OSError, ValueError):
        return None
    return NotebookResult.from_dict(data) if data.get("key") == task.key else None


def load_results(reports):
    """Every stored result under `reports/students/`."""
    return [NotebookResult.from_dict(json.loads(p.read_text()))
            for p in sorted(Path(reports).glob("students/*/*.json"))]


def plan(submitted, reports):
    """A task per notebook in `submitted` (…/<student>/<assignment>/<assignment>.ipynb)."""
    tasks = []
    for path in find_notebooks([submitted]):
        student, assignment = identify(path)
        result_path = Path(reports) / "students" / assignment / ("%s.json" % student)
        tasks.append(Task(str(path), student, assignment, submission_key(path), str(result_path)))
    return tasks


def grade_task(task):
    """Grade one submission (in a pool process or on a Dask worker); never raises."""
    try:
        result = grade_notebook(task.path, task.assignment)
    except Exception as exc:      # the kit itself failed: record it for this submission only
        result = crashed(task, "the grader failed on this notebook: %s: %s" % (type(exc).__name__, exc))
    data = result.to_dict()
    data["key"] = task.key
    return data


def crashed(task, message):
    items = [ItemResult(i.id, 0.0, i.points, "error", message, i.visible, 0.0) for i in load_items(task.assignment)]
    return NotebookResult(task.student, task.assignment, task.path, items, ["Not graded: " + message])


def save(task, data):
    _atomic_write(task.result_path, json.dumps(data, indent=2))
    return NotebookResult.from_dict(data)


def grade_class(submitted, reports, jobs=None, scheduler=None, progress=True):
    """Grade what changed since the last run; returns every submission's result (old and new)."""
    for leftover in Path(reports).glob("students/*/.*.tmp*"):    # from a run killed mid-write
        leftover.unlink()
    tasks = plan(submitted, reports)
    results, todo = {}, []
    for task in tasks:
        old = stored(task)
        if old is None:
            todo.append(task)
        else:
            results[task] = old
    bar = tqdm(total=len(tasks), initial=len(results), unit="notebook", disable=not progress,
               desc="grading", dynamic_ncols=True)
    failures = 0
    run = _run_on_dask if scheduler else _run_locally
    for task, data in run(todo, jobs, scheduler):
        results[task] = save(task, data)
        failures += results[task].score < results[task].max_score
        bar.set_postfix(not_full_marks=failures, refresh=False)
        bar.update()
    bar.close()
    return [results[t] for t in tasks]


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
                        yield task, dict(crashed(task, "the grading process died twice").to_dict(), key=task.key)


def _run_on_dask(tasks, _jobs, scheduler):
    """Yield (task, result dict) as a Dask cluster at `scheduler` finishes them."""
    from distributed import Client, as_completed as dask_completed

    with Client(scheduler) as client:
        futures = client.map(grade_task, tasks, pure=False)
        by_key = dict(zip((f.key for f in futures), tasks))
        for future in dask_completed(futures):
            yield by_key[future.key], future.result()
