"""Benchmarks (reported, never asserted): what grading one submission costs, per assignment."""
import subprocess
import sys
import time

from .course import ROOT, source_notebook
from .items import assignment_ids


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
from autograder.grading import grade_notebook
r = grade_notebook(sys.argv[1], sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "%g/%g" % (r.score, r.max_score))
"""


def main(assignments=None):
    print("Grading one reference submission per assignment, each in a fresh process (2 cores here):")
    print("%-16s %8s %10s %10s %10s %8s" % ("assignment", "wall s", "grader MB", "worker MB", "sum MB", "score"))
    for a in assignments or assignment_ids():
        wall, grader, worker, score = grading_cost(source_notebook(a), a)
        print("%-16s %8.1f %10.0f %10.0f %10.0f %8s" % (a, wall, grader, worker, grader + worker, score))
    return 0
