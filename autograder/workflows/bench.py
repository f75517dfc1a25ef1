"""Benchmarks (reported, never asserted): what grading one submission costs, per assignment."""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder.workflows.classgrade import grade_class
from autograder.course import ROOT, source_notebook
from autograder.nbgrader_bridge.commands import nbgrader_item_scores
from autograder.items import assignment_ids
from autograder.workflows.samples import materialize

KERAS = "07_keras_mnist"


def grading_cost(path, assignment):
    """Wall seconds and peak RSS (MB) of grading one notebook in a fresh process, imports included.

    The grading process and its worker run side by side; their two peaks are reported, and their
    sum bounds what they used together.
    """
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(path), assignment], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    grader_mb, worker_mb, score = proc.stdout.split()[-3:]
    return wall, float(grader_mb), float(worker_mb), score


_PROBE = """
import resource, sys
from autograder.engine.grading import grade_notebook
r = grade_notebook(sys.argv[1], sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "%g/%g" % (r.score, r.max_score))
"""


def main(assignments=None, students=120):
    class_throughput(students)
    print()
    keras_figures()
    print()
    print("Grading one reference submission per assignment, each in a fresh process:")
    print("%-16s %8s %10s %10s %10s %8s" % ("assignment", "wall s", "grader MB", "worker MB", "sum MB", "score"))
    for a in assignments or assignment_ids():
        wall, grader, worker, score = grading_cost(source_notebook(a), a)
        print("%-16s %8.1f %10.0f %10.0f %10.0f %8s" % (a, wall, grader, worker, grader + worker, score))
    return 0


def synthetic_class(folder, students, assignments):
    """submitted/<student>/<id>/<id>.ipynb: student i hands in the i-th sample of the pool of
    01–06 samples (round robin). Notebooks with endless loops are left out: a time limit costs
    both graders the same wall-clock seconds and says nothing about throughput."""
    pool = [p for a in assignments for p in materialize(a) if "loop" not in p.stem and "malformed" not in p.stem]
    submissions = {}
    for i in range(students):
        sample = pool[i % len(pool)]
        assignment, student = sample.parent.name, "student%03d" % i
        dest = folder / "submitted" / student / assignment
        dest.mkdir(parents=True)
        shutil.copy(sample, dest / ("%s.ipynb" % assignment))
        submissions[(assignment, student)] = dest / ("%s.ipynb" % assignment)
    return submissions


def class_throughput(students=120, assignments=("01_sigmoid", "02_cross_entropy", "03_backprop", "04_sgd",
                                                "05_l2", "06_dropout")):
    """Notebooks per second: the kit (all cores) vs plain `nbgrader autograde`, same submissions."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        submissions = synthetic_class(Path(tmp), students, assignments)
        start = time.monotonic()
        results = grade_class(Path(tmp) / "submitted", Path(tmp) / "reports", progress=False)
        kit = time.monotonic() - start
        peak = max(r.peak_mb or 0 for r in results)
        start = time.monotonic()
        theirs = nbgrader_item_scores(submissions)
        nbgrader = time.monotonic() - start
    agree = sum(theirs[(r.assignment, r.student)] == {i.item: i.points for i in r.items} for r in results)
    print("synthetic class: %d students, %d notebooks from the samples of %s" % (
        students, len(submissions), ", ".join(assignments)))
    print("kit (%d processes):     %6.1f s  %6.2f notebooks/s  worker peak RSS %.0f MB" % (
        os.cpu_count(), kit, len(submissions) / kit, peak))
    print("nbgrader autograde:    %6.1f s  %6.2f notebooks/s" % (nbgrader, len(submissions) / nbgrader))
    print("ratio (kit / nbgrader): %.1fx; identical per-item scores on %d of %d notebooks" % (
        nbgrader / kit, agree, len(results)))


class TreeMemory:
    """The peak, over the life of a process tree, of the sum of its processes' proportional set sizes
    (PSS: pages shared by forked workers and their zygote are counted once in total)."""

    def __init__(self, pid, every=0.2):
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(every,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _watch(self, every):
        while not self._stop.wait(every):
            self.peak_mb = max(self.peak_mb, sum(map(_pss_mb, _tree(self.pid))))


def _tree(pid):
    pids, stack = [], [pid]
    while stack:
        p = stack.pop()
        pids.append(p)
        try:
            for task in os.listdir("/proc/%d/task" % p):
                stack += [int(c) for c in Path("/proc/%d/task/%s/children" % (p, task)).read_text().split()]
        except OSError:
            pass
    return pids


def _pss_mb(pid):
    try:
        for line in Path("/proc/%d/smaps_rollup" % pid).read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _timed(args, **kw):
    """Wall seconds and peak tree PSS (MB) of a command, and its stdout."""
    start = time.monotonic()
    proc = subprocess.Popen(args, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, **kw)
    with TreeMemory(proc.pid) as memory:
        out = proc.communicate()[0]
    return time.monotonic() - start, memory.peak_mb, out


def keras_figures():
    """07 against the cost of a bare `import tensorflow` measured in the same run: a single fresh
    `grade` of the reference, and the sample class in class mode (all cores), with peak memory."""
    samples = materialize(KERAS)
    tf_import = min(_timed([sys.executable, "-c", "import tensorflow"])[0] for _ in range(2))
    single, single_mb, out = _timed([sys.executable, "-m", "autograder", "grade", "--assignment", KERAS,
                                     str(source_notebook(KERAS))])
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for sample in samples:
            dest = Path(tmp) / "submitted" / sample.stem / KERAS
            dest.mkdir(parents=True)
            shutil.copy(sample, dest / ("%s.ipynb" % KERAS))
        script = ("import sys; from autograder.workflows.classgrade import grade_class; "
                  "grade_class(sys.argv[1], sys.argv[2], progress=False)")
        whole, class_mb, _ = _timed([sys.executable, "-c", script, str(Path(tmp) / "submitted"),
                                     str(Path(tmp) / "reports")])
    per = whole / len(samples)
    print("07 (Keras MNIST), against a bare `python -c 'import tensorflow'` of %.1f s in this run:" % tf_import)
    print("  single fresh `grade` of the reference: %5.1f s = %.2fx the import (bar 2.5x); peak %.0f MB"
          % (single, single / tf_import, single_mb))
    print("  class mode, %d sample notebooks, %d processes: %.1f s, %.1f s per notebook = %.2fx the import "
          "(bar 1.6x); peak %.0f MB in all, %.0f MB per concurrent grading (bar 2048)"
          % (len(samples), os.cpu_count(), whole, per, per / tf_import, class_mb, class_mb / os.cpu_count()))
    print("  reference: %s" % next((line for line in out.splitlines() if "/ %s:" % KERAS in line), "no result"))
