"""Fair, diagnostic grading: answers that meet the contract in another form pass, failures name a
known misconception and summarize every failing case, dependent items say what to fix first, and the
course's FEEDBACK policy withholds hints and diagnoses everywhere, compiled visible checks included."""
import json

import matplotlib.pyplot as plt

import numpy as np
import pytest

import grading_config
from autograder import course, items
from autograder.engine import visible
from autograder.course import source_notebook
from autograder.expect import expect_all_close, expect_close, known
from autograder.items import ItemResult, load_items, run_item, settle_dependencies
from autograder.engine.notebook import code_cells, read_submission
from autograder.worker import checks, wire
from autograder.worker.failures import ItemFailure
from autograder.worker.namespace import LocalNamespace


def reference_namespace(assignment, extra=""):
    """The reference notebook's globals after its code cells (and `extra`) ran in this process."""
    namespace = {"__name__": "__main__"}
    for _, source in code_cells(read_submission(source_notebook(assignment), 20)) + [(None, extra)]:
        exec(compile(source, "<cell>", "exec"), namespace)
    return LocalNamespace(namespace)


def run_items(assignment, nb, only=None):
    """The assignment's items (or those in `only`) on a namespace, dependencies settled as the grader
    settles them: {item id: ItemResult}."""
    items = [i for i in load_items(assignment) if only is None or i.id in only]
    return {r.item: r for r in settle_dependencies(items, [run_item(i, nb) for i in items])}


def graded(assignment, extra="", only=None):
    """`run_items` on the reference notebook with `extra` run after it (figures closed first)."""
    plt.close("all")
    return run_items(assignment, reference_namespace(assignment, extra), only)


def failed_items(results):
    return {r.item for r in results.values() if not r.passed}


GENERATOR = '''
_batches = iterate_minibatches
def iterate_minibatches(X, Y, batch_size, rng, shuffle=True):
    for Xb, Yb in _batches(X, Y, batch_size, rng, shuffle):
        yield Xb, Yb
'''


def test_a_generator_of_minibatches_gets_full_marks():
    results = graded("04_sgd", GENERATOR)
    wanted = [r for r in results.values() if "minibatch" in r.item]
    assert wanted and all(r.passed for r in wanted), [(r.item, r.message) for r in wanted]


def test_an_endless_generator_is_bounded():
    nb = reference_namespace("04_sgd", "def iterate_minibatches(*a, **k):\n    while True:\n        yield 1\n")
    result = run_items("04_sgd", nb, {"minibatch_order"})["minibatch_order"]
    assert result.status == "failed" and "more than" in result.message


OBJECT_SIGMOID = '''
_sigmoid = sigmoid
def sigmoid(z):
    out = _sigmoid(z)
    return np.array(out.tolist(), dtype=object) if isinstance(out, np.ndarray) else out
'''


def test_an_object_array_of_numbers_counts_as_an_array():
    results = graded("01_sigmoid", OBJECT_SIGMOID)
    assert all(r.passed for r in results.values()), [(r.item, r.message) for r in results.values() if not r.passed]


def test_a_non_numeric_array_is_named_with_its_dtype():
    codec = wire.OwnerCodec(None)
    got = wire.GraderCodec().decode(wire.loads(wire.dumps(codec.encode(np.array(["a", 1], dtype=object)))))
    with pytest.raises(ItemFailure, match=r"got array of shape \(2,\), dtype object"):
        checks.as_numeric(got, "sigmoid", "z")


def test_a_known_misconception_is_named():
    n_times = [[np.array([2.0, 4.0]), "you summed over the batch instead of averaging"]]
    with pytest.raises(ItemFailure, match="Likely cause: you summed over the batch"):
        expect_close(np.array([2.0, 4.0]), np.array([1.0, 2.0]), "loss", "a batch", known=n_times)
    with pytest.raises(ItemFailure) as other:
        expect_close(np.array([3.0, 4.0]), np.array([1.0, 2.0]), "loss", "a batch", known=n_times)
    assert "Likely cause" not in str(other.value)


def test_known_skips_a_misconception_that_does_not_apply():
    catalogue = {"f": [("halved", lambda x: x / 2), ("breaks", lambda x: x["no such key"])]}
    found = known(catalogue, "f", np.array([2.0]))
    assert [cause for _, cause in found] == ["halved"] and found[0][0].tolist() == [1.0]


def test_every_failing_case_is_summarized():
    half = lambda v: [[np.asarray(v) / 2, "you halved it"]]           # noqa: E731
    cases = [["case %d" % i, np.array([x / 2]), np.array([x]), half([x])] for x, i in ((1e-5, 1), (8.0, 2), (4.0, 3))]
    cases.append(["case 4", np.array([1.0]), np.array([1.0]), []])
    with pytest.raises(ItemFailure) as failure:
        expect_all_close(cases, "f", "divide by n, not 2n")
    message = str(failure.value)
    assert message.startswith("`f` fails 3 of 4 cases: case 1; case 2; case 3.")
    assert "The worst (relative error 0.333) — `f` on case 2:" in message   # the largest difference of equals
    assert "Likely cause, in every failing case: you halved it" in message and message.endswith("n, not 2n")


def test_one_failing_case_is_reported_as_is():
    cases = [["a", np.array([1.0]), np.array([1.0]), []], ["b", np.array([2.0]), np.array([1.0]), []]]
    with pytest.raises(ItemFailure, match=r"^`f` on b: 1 of 1 values are wrong"):
        expect_all_close(cases, "f")


def _results(statuses):
    return [ItemResult(ident, 0.0 if status == "failed" else 2.0, 2.0, status, "wrong", False, 0.0)
            for ident, status in statuses.items()]


def _items():
    return [items.Item("x", "forward", 2.0, False, "", None), items.Item("x", "backward", 2.0, False, "", None,
                                                                         ("forward",))]


@pytest.mark.parametrize("policy", ["charge", "excuse"])
def test_a_dependent_item_names_its_cause(monkeypatch, policy):
    monkeypatch.setattr(grading_config, "DEPENDENT_ITEMS", policy, raising=False)
    forward, backward = settle_dependencies(_items(), _results({"forward": "failed", "backward": "failed"}))
    assert backward.message.startswith("Item forward, which this one builds on, fails too: fix it first.")
    assert (backward.status, backward.points) == (("failed", 0.0) if policy == "charge" else ("excused", 2.0))
    assert forward.message == "wrong"
    alone = settle_dependencies(_items(), _results({"forward": "passed", "backward": "failed"}))[1]
    assert (alone.status, alone.message) == ("failed", "wrong")


def test_an_item_depending_on_an_unlisted_item_is_a_config_error(monkeypatch):
    first = next(name for name in vars(items.suite("01_sigmoid")) if name.startswith("test_"))
    func = getattr(items.suite("01_sigmoid"), first)
    monkeypatch.setattr(func, "item", dict(func.item, after=("no_such_item",)))
    with pytest.raises(items.ConfigError, match="no_such_item"):
        load_items("01_sigmoid")


def test_feedback_policy_withholds_hints_and_diagnoses_from_compiled_checks(monkeypatch):
    with_hints = json.dumps(course.compiled_checks("02_cross_entropy"))
    monkeypatch.setattr(grading_config, "FEEDBACK", {"hints": False, "diagnoses": False})
    visible.compile_item.cache_clear()
    try:
        without = course.compiled_checks("02_cross_entropy")
        text = json.dumps(without)
        assert len(text) < len(with_hints)
        nb = reference_namespace("02_cross_entropy", "def cross_entropy(y, a):\n    return 0.0\n")
        failed = [r for r in run_items("02_cross_entropy", nb).values() if r.status == "failed"]
        assert failed and not any("Hint:" in r.message or "Likely cause" in r.message for r in failed)
        with pytest.raises(ItemFailure) as failure:
            expect_close(np.array([2.0]), np.array([1.0]), "f", "c", "a hint", known=[[np.array([2.0]), "why"]])
        assert "Hint" not in str(failure.value) and "why" not in str(failure.value)
        cases = [["c%d" % i, np.array([2.0]), np.array([1.0]), [[np.array([2.0]), "why"]]] for i in range(2)]
        with pytest.raises(ItemFailure) as failure:
            expect_all_close(cases, "f", "a hint")
        assert "Hint" not in str(failure.value) and "why" not in str(failure.value)
    finally:
        visible.compile_item.cache_clear()
