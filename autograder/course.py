"""The course's files and what students get: where the source and released notebooks are, the
students' `selfcheck/` runtime with the compiled visible checks, and the student template. The
nbgrader side (test cells, nbgrader's commands) is `nbgrader_bridge`."""
import json
import shutil
from pathlib import Path

from autograder.engine import visible
from autograder.items import load_items, settings
from autograder.engine.worker_process import Limits

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "assignments"
STUDENT_TEMPLATE = ROOT / "student_template"
# What the student template holds besides the released notebooks: its README and the PR workflows.
TEMPLATE_FILES = {ROOT / "course_data" / "student_repo": ".",
                  ROOT / ".github" / "workflows" / "grade-pr.yml": ".github/workflows/grade-pr.yml",
                  ROOT / ".github" / "workflows" / "grade-pr-comment.yml": ".github/workflows/grade-pr-comment.yml",
                  ROOT / ".github" / "scripts" / "pr_comment.py": ".github/scripts/pr_comment.py"}
TEMPLATE_TABLE = "<!-- assignments: the table is written by `make release` -->"      # in its README
WORKER = ROOT / "autograder" / "worker"
# The students' check runtime: these modules of the worker package, shipped as selfcheck/ beside each notebook.
RUNTIME_MODULES = ("wire.py", "session.py", "failures.py", "namespace.py", "checks.py", "program.py", "runtime.py")
RUNTIME_INIT = '"""Visible checks for this assignment (see runtime.py)."""\nfrom .runtime import check  # noqa: F401\n'
# Files a released assignment needs besides its notebook (source → name in the assignment's folder).
ASSIGNMENT_FILES = {"07_keras_mnist": {ROOT / "course_data" / "mnist.py": "mnist.py",
                                       ROOT / "course_data" / "mnist_subset_split.json": "mnist_subset_split.json",
                                       WORKER / "harness_keras.py": "selfcheck/harness_keras.py"}}


def source_notebook(assignment):
    return SOLUTIONS / assignment / ("%s.ipynb" % assignment)


def release_notebook(assignment):
    return RELEASE / assignment / ("%s.ipynb" % assignment)


def compiled_checks(assignment):
    """The assignment's visible items as data: {"assignment", "call_timeout", "items": {id: {description,
    points, program}}}."""
    return {"assignment": assignment, "call_timeout": Limits.for_assignment(assignment).call_timeout,
            "items": {i.id: {"description": i.description, "points": i.max_points, "program": visible.compile_item(i)}
                      for i in load_items(assignment) if i.visible}}


def write_assignment_files(assignment, folder):
    """What students get beside the notebook: selfcheck/ (the runtime and the compiled visible checks)
    and the assignment's own files (07's data loader)."""
    folder = Path(folder)
    package = folder / "selfcheck"
    shutil.rmtree(package, ignore_errors=True)
    package.mkdir(parents=True)
    for name in RUNTIME_MODULES:
        shutil.copy(WORKER / name, package / name)
    (package / "__init__.py").write_text(RUNTIME_INIT)
    (package / "checks.json").write_text(json.dumps(compiled_checks(assignment), indent=0, sort_keys=True) + "\n")
    for source, name in ASSIGNMENT_FILES.get(assignment, {}).items():
        shutil.copy(source, folder / name)


def write_student_template(assignments, dest=STUDENT_TEMPLATE):
    """The students' repository: released assignment folders in assignments/, a README and the
    PR-grading workflows (they fetch the private grader; see README "Grading pull requests")."""
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    for source, target in TEMPLATE_FILES.items():
        if source.is_dir():
            shutil.copytree(source, dest / target, dirs_exist_ok=True)
        else:
            (dest / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, dest / target)
    table = ["| folder | assignment |", "|---|---|"]
    for assignment in assignments:
        (dest / "assignments" / assignment).mkdir(parents=True)
        shutil.copy(release_notebook(assignment), dest / "assignments" / assignment)
        write_assignment_files(assignment, dest / "assignments" / assignment)
        table.append("| `assignments/%s/` | %s |" % (assignment, settings(assignment)["title"]))
    readme = dest / "README.md"
    readme.write_text(readme.read_text().replace(TEMPLATE_TABLE, "\n".join(table)))
    return dest
