"""Class-scale grading: parallel, resumable after kill -9, incremental, and the same on Dask."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from autograder.workflows.classgrade import grade_class, plan
from autograder.course import ROOT

from .fixtures import SAMPLE_CLASS, expected_score, full_marks

A = "01_sigmoid"

FAST = ["reference", "stub", "alt-correct", "bug-overflow", "bug-derivative", "bug-relu-bool", "malformed"]


@pytest.fixture
def submitted(tmp_path):
    """submitted/<student>/01_sigmoid/01_sigmoid.ipynb for a few sample students."""
    for student in FAST:
        dest = tmp_path / "submitted" / student / "01_sigmoid"
        dest.mkdir(parents=True)
        shutil.copy(SAMPLE_CLASS / "01_sigmoid" / ("%s.ipynb" % student), dest / "01_sigmoid.ipynb")
    return tmp_path / "submitted"


def scores(results):
    return {r.student: r.score for r in results}


def test_incremental_regrades_only_what_changed(submitted, tmp_path):
    reports = tmp_path / "reports"
    first = grade_class(submitted, reports, jobs=2, progress=False)
    assert scores(first)["reference"] == full_marks(A) and scores(first)["malformed"] == 0
    stamps = {p: p.stat().st_mtime_ns for p in reports.glob("students/*/*.json")}
    shutil.copy(SAMPLE_CLASS / "01_sigmoid" / "bug-overflow.ipynb",
                submitted / "stub" / "01_sigmoid" / "01_sigmoid.ipynb")
    second = grade_class(submitted, reports, jobs=2, progress=False)
    assert scores(second) == dict(scores(first), stub=expected_score(A, "bug-overflow"))
    changed = [p.parent.name + "/" + p.stem for p, t in stamps.items() if p.stat().st_mtime_ns != t]
    assert changed == ["01_sigmoid/stub"]


def test_kill_minus_9_loses_no_finished_result_and_the_next_run_completes(submitted, tmp_path):
    reports = tmp_path / "reports"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "autograde", "--submitted", str(submitted),
                             "--reports", str(reports), "--jobs", "1"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(reports.glob("students/*/*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = list(reports.glob("students/*/*.json"))
    assert 2 <= len(done) < len(FAST)
    finished = {p: p.stat().st_mtime_ns for p in done}
    for path in done:                           # every file there is whole
        assert json.loads(path.read_text())["stamp"]
    results = grade_class(submitted, reports, jobs=2, progress=False)
    assert len(results) == len(FAST) and scores(results)["reference"] == full_marks(A)
    assert all(p.stat().st_mtime_ns == t for p, t in finished.items())     # not regraded
    assert not list(reports.glob("students/*/.*"))                          # no temp litter left


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_results(submitted, tmp_path):
    from distributed import LocalCluster

    local = scores(grade_class(submitted, tmp_path / "local", jobs=2, progress=False))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = grade_class(submitted, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    assert scores(on_dask) == local
    assert len(plan(submitted, tmp_path / "dask")) == len(FAST)


def test_any_folder_name_and_stray_notebooks_are_told_not_a_traceback(tmp_path):
    """`autograde --submitted DIR`: <DIR>/<student>/<assignment>/ is graded whatever DIR is called; a
    notebook elsewhere is left out, with a line saying why."""
    dest = tmp_path / "downloads-term1" / "alice" / "01_sigmoid"
    dest.mkdir(parents=True)
    shutil.copy(SAMPLE_CLASS / "01_sigmoid" / "reference.ipynb", dest / "01_sigmoid.ipynb")
    shutil.copy(SAMPLE_CLASS / "01_sigmoid" / "stub.ipynb", tmp_path / "downloads-term1" / "stray.ipynb")
    told = []
    results = grade_class(tmp_path / "downloads-term1", tmp_path / "reports", jobs=1, progress=False, say=told.append)
    assert [(r.student, r.assignment, r.score) for r in results] == [("alice", A, full_marks(A))]
    assert any("stray.ipynb: left out" in line for line in told)
