"""07's evaluator: the grading process never loads a model file that student code wrote, and a
hostile one costs only its own student the items that need it.

Hostile notebooks are the 07 reference with a cell appended that replaces how models are saved
(the worker's harness calls `model.save`) and skips training. They are graded in one class run
between two untouched references, which must keep full marks.
"""
import re
import subprocess
import sys

import pytest

from autograder.course import ROOT
from autograder.engine.namespaces import RemoteNamespace
from autograder.engine.sandbox import bwrap_works
from autograder.engine.worker_process import Limits, Worker, preload_for

from .fixtures import SAMPLE_CLASS, full_marks, grade_variants

A = "07_keras_mnist"
REFERENCE = SAMPLE_CLASS / A / "reference.ipynb"
PREPROCESS_ONLY = 3          # preprocess_pixels 2 + preprocess_labels 1
NO_TRAINING = "\ndef train_model(model, data, epochs=10, batch_size=32, callbacks=None):\n    return None\n"
CRAFTED = """
import json, zipfile
config = {"module": "keras", "class_name": "Sequential", "config": {"name": "evil", "layers": [
    {"module": "os", "class_name": "system", "config": {"command": "touch /tmp/pwned"}, "registered_name": None}]},
    "compile_config": {"loss": "categorical_crossentropy", "metrics": ["accuracy"]}}

def crafted_save(self, path, *args, **kwargs):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", json.dumps({"keras_version": keras.__version__}))

keras.Model.save = crafted_save
""" + NO_TRAINING
SYMLINK = """
import os

def linked_save(self, path, *args, **kwargs):
    os.remove(path)
    os.symlink(%r, path)

keras.Model.save = linked_save
""" % str(ROOT / "solutions" / A / (A + ".ipynb")) + NO_TRAINING
GARBAGE = """
def garbage_save(self, path, *args, **kwargs):
    with open(path, "wb") as f:
        f.write(b"not a model " * 1000)

keras.Model.save = garbage_save
""" + NO_TRAINING
CASES = {  # student: (appended cell, score, regex every failing item's message matches)
    "crafted-model": (CRAFTED, PREPROCESS_ONLY,
                      r"'system'|could not be loaded safely|compiled with (loss 'categorical_crossentropy'|optimizer)"),
    "symlinked-model": (SYMLINK, PREPROCESS_ONLY, r"cannot be used.*symbolic links"),
    "garbage-model": (GARBAGE, PREPROCESS_ONLY, r"[Zz]ip file"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_variants(tmp_path_factory.mktemp("evaluator"), REFERENCE,
                          {student: cell for student, (cell, _, _) in CASES.items()}, A)


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(CASES))
def test_hostile_model_files_fail_clearly_and_only_their_items(graded, student):
    _, score, message = CASES[student]
    result = graded[student]
    failing = [i for i in result.items if not i.passed]
    assert result.score == score, {i.item: i.message for i in failing}
    for item in failing:
        assert re.search(message, item.message, re.S), (item.item, item.message)
    assert "BEGIN SOLUTION" not in result.output + "".join(i.message for i in result.items)


@pytest.mark.slow
def test_neighbours_keep_full_marks(graded):
    assert [graded[s].score for s in ("aaa-reference", "zzz-reference")] == [full_marks(A)] * 2


def test_grading_process_never_imports_tensorflow():
    """Grading a 07 submission (the stub: quick) leaves TensorFlow and Keras out of this process."""
    code = ("import sys; from autograder.engine.grading import grade_notebook; "
            "r = grade_notebook(sys.argv[1], '07_keras_mnist'); "
            "print(r.score, [m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code, str(SAMPLE_CLASS / A / "stub.ipynb")], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split("\n")[-2]
    assert out == "0.0 []"


PROBE = r"""
import os
def probe(paths):
    found = {}
    for path in paths:
        try:
            found[path] = os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(64).hex()
        except OSError:
            found[path] = None
    return found
"""


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap is not available")
def test_code_running_in_an_evaluator_finds_no_labels_course_files_or_workers():
    """As if a model file ran code on loading (a safe-mode bypass): the evaluator's sandbox holds none
    of the course, the grader's data, or the student's worker folder."""
    limits = Limits.for_assignment(A)
    with Worker([(0, "x = 1")], limits, preload_for(A)) as student:
        with Worker([(0, PROBE)], limits, preload_for(A), role="evaluator") as evaluator:
            targets = [str(ROOT / "grading_config.py"), str(ROOT / "course_data" / "mnist_subset_split.json"),
                       str(ROOT / "solutions" / A / (A + ".ipynb")), student.workdir,
                       str(ROOT / "autograder" / "suites" / "07_keras_mnist" / "items.py")]
            found = RemoteNamespace(evaluator).call("probe", targets)
    assert found == {t: None for t in targets}, found


def test_keras_zygote_forks_single_threaded():
    """The zygote that preloaded Keras has run nothing but imports: one thread when it forks a worker."""
    with Worker([(0, "import keras")], Limits.for_assignment(A), preload_for(A)) as worker:
        assert worker.cell_reports == {}
        assert worker.zygote.zygote_threads == 1
