"""The instructor's commands, run on a scratch copy of the kit (so the real course folders stay clean)."""
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.course import ROOT

from .fixtures import expected_score, full_marks

GENERATED = ("exchange", "submitted", "autograded", "feedback", "downloaded", "reports", ".demo", "demo-course",
             "gradebook.db", ".venv", ".venv-student", ".git", "__pycache__", ".pytest_cache", ".ruff_cache",
             "student_template", "pr-report", "gradescope")


@pytest.fixture
def kit_copy(tmp_path):
    copy = tmp_path / "kit"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*GENERATED))
    return copy


def run_kit(copy, *args):
    env = dict(os.environ, PYTHONPATH=str(copy))
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=copy, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_validate_fails_naming_the_item_when_the_reference_breaks(kit_copy):
    path = kit_copy / "solutions" / "01_sigmoid" / "01_sigmoid.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid")
    lines = cell.source.splitlines()
    cell.source = "\n".join(l for l in lines if "e = np.exp(-np.abs(z))" not in l)   # delete one line
    assert cell.source != "\n".join(lines)
    nbformat.write(nb, path)
    proc = run_kit(kit_copy, "validate", "01_sigmoid")
    assert proc.returncode == 1, proc.stdout
    assert "reference fails item sigmoid_values" in proc.stdout


def test_release_writes_the_student_template(kit_copy):
    proc = run_kit(kit_copy, "release", "01_sigmoid")
    assert proc.returncode == 0, proc.stdout
    template = kit_copy / "student_template"
    assert "student template" in proc.stdout and (template / ".github" / "workflows" / "grade-pr.yml").is_file()
    assert [p.relative_to(template).as_posix() for p in template.rglob("*.ipynb")] == [
        "assignments/01_sigmoid/01_sigmoid.ipynb"]


def test_grade_writes_gradescope_json(tmp_path):
    sample = ROOT / "course_data" / "sample_class" / "01_sigmoid"
    out = tmp_path / "results.json"
    proc = run_kit(ROOT, "grade", str(sample / "bug-derivative.ipynb"), "--json", str(out))
    assert proc.returncode == 0, proc.stdout
    data = json.loads(out.read_text())
    assert (data["score"], data["max_score"]) == (expected_score("01_sigmoid", "bug-derivative"),
                                                  full_marks("01_sigmoid"))
    assert {"name", "score", "max_score", "output", "visibility"} <= set(data["tests"][0])
    assert "sigmoid_prime_values" in proc.stdout


def test_check_runs_only_visible_tests():
    stub = ROOT / "assignments" / "01_sigmoid" / "01_sigmoid.ipynb"
    proc = run_kit(ROOT, "check", str(stub))
    assert proc.returncode == 1
    assert "sigmoid_values" in proc.stdout and "sigmoid_extreme" not in proc.stdout
    ref = ROOT / "course_data" / "sample_class" / "01_sigmoid" / "reference.ipynb"
    assert run_kit(ROOT, "check", str(ref)).returncode == 0
