"""What students receive works without the kit: the student template in fresh virtual environments.

Two environments are built from the template's requirements.txt (once; kept in .venv-student/ until
the file changes): "base" with numpy, matplotlib and ipykernel only (01–06), and "keras" with the
whole file (07). Notebooks run under nbclient in a copy of the template's assignment folder, so
neither the kit nor its folder is importable.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import course
from autograder.engine.grading import grade_notebook
from autograder.items import assignment_ids, load_items
from autograder.engine.notebook import is_test_cell, read_submission, restore_protected_cells
from autograder.engine.worker_process import GRADING_ENV, Limits

from .fixtures import sample_paths

pytestmark = pytest.mark.slow
ASSIGNMENTS = assignment_ids()
REQUIREMENTS = course.ROOT / "course_data" / "student_repo" / "requirements.txt"
VENVS = course.ROOT / ".venv-student"
BASE_PACKAGES = ("numpy", "matplotlib", "ipykernel")
VERDICT = re.compile(r"^(✓|✗) (\w+) — ")
# Samples whose answers change from run to run: their messages are compared with the numbers masked.
UNSEEDED = {("06_dropout", "bug-fresh-mask-backward"): "draws a new mask from the global np.random state"}


def _environment(name, packages):
    """A fresh venv with these requirement lines, and a Jupyter kernelspec `student-<name>` for it."""
    folder = VENVS / name
    stamp = hashlib.sha256("\n".join(packages).encode()).hexdigest()
    python = folder / "bin" / "python"
    if not (folder / "stamp").is_file() or (folder / "stamp").read_text() != stamp:
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages],
                       check=True)
        subprocess.run([str(python), "-c", "import matplotlib.pyplot"], check=True)     # builds the font cache
        (folder / "stamp").write_text(stamp)
    spec = VENVS / "kernels" / ("student-%s" % name)
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text('{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"], '
                                      '"display_name": "student %s", "language": "python"}' % (python, name))
    return "student-%s" % name


@pytest.fixture(scope="session")
def kernels():
    """{assignment: kernel name}; the kernelspecs are found through JUPYTER_PATH."""
    lines = [ln.split("#")[0].strip() for ln in REQUIREMENTS.read_text().splitlines()]
    lines = [ln for ln in lines if ln]
    base = _environment("base", [ln for ln in lines if ln.split("=")[0] in BASE_PACKAGES])
    keras = _environment("keras", lines)
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(VENVS)
    yield {a: keras if a == "07_keras_mnist" else base for a in ASSIGNMENTS}
    os.environ.pop("JUPYTER_PATH") if saved is None else os.environ.__setitem__("JUPYTER_PATH", saved)


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return course.write_student_template(ASSIGNMENTS, tmp_path_factory.mktemp("student") / "repo")


def _folder(template, assignment, tmp_path):
    """A copy of the template's assignment folder, as a student has it."""
    return shutil.copytree(template / "assignments" / assignment, tmp_path / assignment)


def _run(nb, folder, kernel, env=None, allow_errors=False, cell_timeout=None):
    """Execute `nb` in `folder` with the kernel; test cells get 10 minutes, others `cell_timeout`."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NBGRADER_EXECUTION")}
    clean.update(env or {}, MPLBACKEND="Agg")
    client = NotebookClient(nb, kernel_name=kernel, allow_errors=allow_errors, interrupt_on_timeout=allow_errors,
                            resources={"metadata": {"path": str(folder)}},
                            timeout_func=lambda cell: 600 if is_test_cell(cell) else cell_timeout or 600)
    client.execute(env=clean)
    return nb


def _verdicts(nb, assignment):
    """{item: (status, message)} from the visible cells' printed verdicts."""
    out = {}
    visible = {i.id for i in load_items(assignment) if i.visible}
    for cell in nb.cells:
        ident = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if ident not in visible:
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        match = VERDICT.match(text)
        if not match or match.group(2) != ident:
            out[ident] = ("no verdict", text + "".join(o.get("evalue", "") for o in cell.get("outputs", [])))
            continue
        passed = match.group(1) == "✓"
        out[ident] = ("passed", "") if passed else ("failed", text.rstrip("\n").split("\n", 1)[1])
    return out


# The kit's grader sees the whole notebook and prefixes an item that builds on a failing one with this
# note (items.settle_dependencies); a check cell in the student's kernel runs one item and cannot.
DEPENDENCY_NOTE = re.compile(r"^Items? [\w, ]+, which this one builds on, fails? too: fix (it|them) first\.\n")


def _kit_verdicts(result):
    return {r.item: ("passed", "") if r.passed else ("failed", DEPENDENCY_NOTE.sub("", r.message))
            for r in result.items if r.visible}


def _with_reference(nb, assignment):
    """The released notebook with the reference's solution cells pasted in (by grade_id)."""
    source = {c.metadata["nbgrader"]["grade_id"]: c.source
              for c in nbformat.read(course.source_notebook(assignment), as_version=4).cells
              if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        ident = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if ident in source:
            cell.source = source[ident]
    return nb


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_runs_and_passes_with_the_reference(assignment, template, kernels, tmp_path):
    folder = _folder(template, assignment, tmp_path)
    nb = _with_reference(nbformat.read(folder / ("%s.ipynb" % assignment), as_version=4), assignment)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import importlib.util\nassert importlib.util.find_spec('autograder') "
                                                 "is None and importlib.util.find_spec('course_data') is None"))
    verdicts = _verdicts(_run(nb, folder, kernels[assignment]), assignment)
    visible = [i.id for i in load_items(assignment) if i.visible]
    assert verdicts == {i: ("passed", "") for i in visible}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stub_fails_every_visible_check_with_the_graders_message(assignment, template, kernels, tmp_path):
    folder = _folder(template, assignment, tmp_path)
    nb = nbformat.read(folder / ("%s.ipynb" % assignment), as_version=4)
    verdicts = _verdicts(_run(nb, folder, kernels[assignment], allow_errors=True), assignment)
    kit = _kit_verdicts(grade_notebook(course.release_notebook(assignment), assignment))
    assert verdicts == kit
    assert all(status == "failed" for status, _ in verdicts.values())


def test_without_the_runtime_a_check_prints_one_line(template, kernels, tmp_path):
    folder = _folder(template, "01_sigmoid", tmp_path)
    shutil.rmtree(folder / "selfcheck")
    nb = _run(nbformat.read(folder / "01_sigmoid.ipynb", as_version=4), folder, kernels["01_sigmoid"],
              allow_errors=True)
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "sigmoid_values")
    assert [o.output_type for o in cell.outputs] == ["stream"]
    assert cell.outputs[0].text.count("\n") == 1 and "selfcheck/" in cell.outputs[0].text


def _masked(verdicts):
    """Numbers (and their signs: a random value may be -0 or 0.6) replaced by #."""
    return {item: (status, re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", message))
            for item, (status, message) in verdicts.items()}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_runtime_agrees_with_the_grader_on_the_sample_class(assignment, template, kernels, sample_results, tmp_path):
    """Every sample notebook, as the grader sees it (protected cells restored), run in a student's kernel
    with the template's full requirements (samples use scipy too): each visible item's verdict and message
    equal the kit grader's. Files the grader cannot read as notebooks cannot be opened by students
    either, and are left out."""
    limits = Limits.for_assignment(assignment)
    released = read_submission(course.release_notebook(assignment), limits.notebook_mb)
    compared = 0
    for (_, student), path in sample_paths(assignment).items():
        result = sample_results(assignment)[(assignment, student)]
        if any(note.startswith("Not graded") for note in result.notes):
            continue
        nb = read_submission(path, limits.notebook_mb)
        restore_protected_cells(nb, released)
        folder = _folder(template, assignment, tmp_path / student)
        env = {k: v for k, v in GRADING_ENV.items() if k != "MPLCONFIGDIR"}
        _run(nb, folder, kernels["07_keras_mnist"], env=env, allow_errors=True, cell_timeout=limits.cell_timeout)
        ours, kit = _verdicts(nb, assignment), _kit_verdicts(result)
        if (assignment, student) in UNSEEDED:
            ours, kit = _masked(ours), _masked(kit)
        assert ours == kit, student
        compared += 1
    assert compared >= len(sample_paths(assignment)) - 1
