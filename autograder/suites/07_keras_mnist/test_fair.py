"""07's contract clauses that only training shows: a `build_model` that ignores `optimizer` and a
`train_model` that ignores `epochs` or the validation data each lose their own item and nothing else.
(Models built another way — functional API, activation layers — are the sample `alt-functional`.)"""
import re
import subprocess
import sys

import pytest

from autograder.course import ROOT

from autograder.tests.fixtures import SAMPLE_CLASS, full_marks, grade_variants

A = "07_keras_mnist"
CASES = {  # student: (appended cell, the one item that fails, regex of its message)
    "ignores-optimizer": ('''
_build = build_model
def build_model(hidden_sizes=(128, 64), activation="relu", dropout=0.0, l2=0.0,
                loss="categorical_crossentropy", optimizer="adam"):
    return _build(hidden_sizes, activation, dropout, l2, loss, "adam")
''', "compiled_loss_metric", r"optimizer='sgd': compiled with optimizer 'adam'"),
    "no-validation": ('''
def train_model(model, data, epochs=10, batch_size=32, callbacks=None):
    (x_train, y_train), _ = data
    return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=0)
''', "regularization_gap", r"History records 8 epochs of \['accuracy', 'loss'\]"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_variants(tmp_path_factory.mktemp("fair07"), SAMPLE_CLASS / A / "reference.ipynb",
                          {student: cell for student, (cell, _, _) in CASES.items()}, A)


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(CASES))
def test_each_training_clause_costs_its_own_item(graded, student):
    _, item, message = CASES[student]
    failing = {i.item: i.message for i in graded[student].items if i.status in ("failed", "partial")}
    assert list(failing) == [item], failing
    assert re.search(message, failing[item]), failing[item]


@pytest.mark.slow
def test_neighbours_keep_full_marks(graded):
    assert [graded[s].score for s in ("aaa-reference", "zzz-reference")] == [full_marks(A)] * 2


@pytest.mark.slow
def test_partial_credit_fails_under_plain_pytest():
    """`pytest autograder/suites --notebook X` fails an item that earns less than full credit."""
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "autograder/suites/07_keras_mnist/items.py",
                          "--notebook", str(SAMPLE_CLASS / A / "bug-sigmoid-sgd.ipynb"), "-k", "test_accuracy"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and "partial credit 0.00 of the item's points: test accuracy 0.3450" in run.stdout
