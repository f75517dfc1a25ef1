"""The leak scanner catches each kind of planted secret, and today's released notebooks have none."""
import json
import shutil

import nbformat
import numpy as np
import pytest

from autograder import course
from autograder.workflows import leakscan
from autograder.items import assignment_ids
from autograder.worker import wire

RELEASED = leakscan.ROOT / "assignments"
NOTEBOOK = RELEASED / "01_sigmoid" / "01_sigmoid.ipynb"
# test_sigmoid_shapes (hidden) passes sigmoid this array first: the suite's own recipe.
HIDDEN_Z = np.random.default_rng(101).normal(0, 3, size=(7, 3))
SUITE_LINE = 'hint = "e^(−z) overflows for z < −709; for negative z use the equivalent e^z / (1 + e^z)"'
SOLUTION_LINE = "return circle_features(X) @ w - r ** 2 < 0"


def _plant_in_notebook(path, text):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


def _plant_in_json(path, value):
    path.write_text(json.dumps({"item": "x", "args": value}))        # ensure_ascii: non-ASCII escaped


PLANTS = {
    "hidden id": (lambda d: _plant_in_notebook(d / NOTEBOOK.name, "See also sigmoid_extreme."),
                  "hidden item id 'sigmoid_extreme'"),
    "hidden value (repr)": (lambda d: (d / "data.py").write_text("Z = [%r]\n" % float(HIDDEN_Z[3, 1])),
                            "hidden input of 01_sigmoid/sigmoid_shapes (value): %r" % float(HIDDEN_Z[3, 1])),
    "hidden value (wire)": (lambda d: _plant_in_json(d / "checks.json", wire.GraderCodec().encode([HIDDEN_Z])),
                            "hidden input of 01_sigmoid/sigmoid_shapes (base64)"),
    "suite line": (lambda d: _plant_in_json(d / "checks.json", {"hint": "    " + SUITE_LINE}),
                   "line of 01_sigmoid/items.py"),
    "ref helper call": (lambda d: (d / "helpers.py").write_text("want = ref_sigmoid (z)\n"),
                        "reference helper ref_sigmoid( of 01_sigmoid/items.py"),
    "ref helper def": (lambda d: (d / "helpers.py").write_text("def ref_anything(z):\n    pass\n"),
                       "a reference helper definition"),
    "solution line": (lambda d: _plant_in_notebook(d / NOTEBOOK.name, "```\n        %s\n```" % SOLUTION_LINE),
                      "solution line of 01_sigmoid"),
}


@pytest.fixture
def folder(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path)
    (tmp_path / "image.bin").write_bytes(b"\0\1sigmoid_extreme")          # binary files are skipped
    return tmp_path


def test_the_copy_is_clean(folder):
    assert leakscan.scan(folder) == []


@pytest.mark.parametrize("kind", PLANTS)
def test_each_planted_leak_is_found(folder, kind):
    plant, expected = PLANTS[kind]
    plant(folder)
    findings = leakscan.scan(folder)
    assert any(expected in f for f in findings), findings


def test_hidden_ids_agree_with_the_items():
    """The scanner reads visibility from the suites' source; it must match what load_items says."""
    from autograder.items import load_items
    for assignment in ("01_sigmoid", "02_cross_entropy", "03_backprop", "04_sgd", "05_l2", "06_dropout"):
        hidden = {item.id for item in load_items(assignment) if not item.visible}
        assert set(leakscan.hidden_ids(assignment)) <= hidden
        assert hidden - set(leakscan.hidden_ids(assignment)) <= {"circle_features"}   # a function's name


def test_released_notebooks_leak_nothing():
    assert leakscan.scan(RELEASED) == []


def test_a_fresh_student_template_leaks_nothing(tmp_path):
    """Everything a student receives: the template `make release` writes (notebooks, selfcheck/, mnist.py,
    README, requirements, workflows)."""
    template = course.write_student_template(assignment_ids(), tmp_path / "template")
    assert leakscan.scan(template) == []
