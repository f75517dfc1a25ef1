"""Results as JSON: a submission's stored result (`reports/students/<assignment>/<student>.json`, one writer)
and the Gradescope-shaped summary of a notebook."""
from pathlib import Path

from autograder.outputs.files import write_json_file
from autograder.outputs.text import status_label


def gradescope(result):
    """Gradescope's results.json shape for one notebook."""
    tests = [{"name": "%s (%s)" % (r.item, status_label(r)), "score": r.points, "max_score": r.max_points,
              "output": r.message or "passed", "visibility": "visible" if r.visible else "after_published"}
             for r in result.items]
    out = {"score": result.score, "max_score": result.max_score, "tests": tests,
           "output": "\n".join(result.notes) or "Notebook ran without errors."}
    return out


def write_json(results, path):
    """One object for one notebook, a list for several (Gradescope accepts the former)."""
    write_json_file(path, gradescope(results[0]) if len(results) == 1 else [gradescope(r) for r in results])


def result_path(reports, assignment, student):
    """Where a submission's result is stored: `<reports>/students/<assignment>/<student>.json`."""
    return Path(reports) / "students" / assignment / ("%s.json" % student)


def write_result(path, data):
    """Store a submission's result (`NotebookResult.to_dict()`, with the class grader's stamp if it graded
    it): items, messages and notes, never tests' source."""
    write_json_file(path, data)
