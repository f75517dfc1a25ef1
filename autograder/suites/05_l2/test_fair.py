"""05_l2, fair and diagnostic: the early-stopping clauses that had no case (a new best after patience ran
out, a tiny strict improvement, the list left unchanged) now fail buggy answers that used to get full marks;
an l1_grad that modifies W costs l1_grad's item only; messages name layers from 1 and known mistakes."""
import pytest

from autograder.tests.test_fair_grading import graded

A = "05_l2"


@pytest.fixture(autouse=True)
def grading(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "1")      # the notebook skips its experiment


EARLY_STOPPING = ["early_stopping_basic", "early_stopping_patience", "early_stopping_ties"]

# Each passed every early-stopping item before these cases existed (full marks).
USED_TO_PASS = {
    "returns at the first time patience runs out": ('''
def early_stopping(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, True
    return best_epoch, False
''', "early_stopping_patience", "the loop returns as soon as patience first runs out"),
    "a min_delta": ('''
def early_stopping(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - 1e-4:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
    return best_epoch, wait >= patience
''', "early_stopping_ties", "a tolerance (a min_delta)"),
    "modifies the list": ('''
def early_stopping(val_losses, patience):
    best_epoch = int(np.argmin(val_losses))
    stop = len(val_losses) - 1 - best_epoch >= patience
    val_losses.append(float("inf"))
    return best_epoch, stop
''', "early_stopping_patience", None),
}


@pytest.mark.parametrize("name", sorted(USED_TO_PASS))
def test_buggy_early_stopping_that_used_to_pass_now_fails_once(name):
    code, item, cause = USED_TO_PASS[name]
    results = graded(A, code, EARLY_STOPPING)
    assert [r.item for r in results.values() if not r.passed] == [item]
    assert cause is None or "Likely cause: " in results[item].message and cause in results[item].message


def test_an_l1_grad_that_modifies_w_costs_only_its_own_item():
    results = graded(A, '''
def l1_grad(W, lam, n):
    W[W > 0] = lam / n
    W[W < 0] = -lam / n
    return W
''')
    assert [r.item for r in results.values() if not r.passed] == ["l1_grad_values"]
    assert "modified W in place" in results["l1_grad_values"].message


def test_new_arrays_in_the_callers_dicts_are_not_called_in_place():
    result = graded(A, '''
def regularized_grads(grads, params, lam, n, kind="l2"):
    pen = {"l2": l2_grad, "l1": l1_grad}[kind]
    for g, p in zip(grads, params):
        g["W"] = g["W"] + pen(p["W"], lam, n)
    return [dict(g) for g in grads]
''', {"regularized_grads_no_mutation"})["regularized_grads_no_mutation"]
    assert result.status == "failed" and "put a new array into the caller's dict" in result.message
    assert "grads[0][\"W\"] (layer 1)" in result.message and "+=" not in result.message


def test_a_wrong_l2_grad_is_named_where_regularized_grads_uses_it():
    results = graded(A, "def l2_grad(W, lam, n):\n    return lam * W\n", {"l2_grad_values", "regularized_grads_l2"})
    assert "Likely cause: the 1/n is missing" in results["l2_grad_values"].message
    assert "Likely cause, in every failing case: the penalty gradient lacks the 1/n" in \
        results["regularized_grads_l2"].message
    assert "result[0][\"W\"] (layer 1)" in results["regularized_grads_l2"].message


CORRECT_VARIANTS = {
    "numpy list input, np.int64 and np.bool_ results": '''
def early_stopping(val_losses, patience):
    losses = np.asarray(val_losses)
    best = losses.argmin()
    return best, np.bool_(losses.size - 1 - best >= patience)
''',
    "l1_grad in place on its own copy": '''
def l1_grad(W, lam, n):
    out = np.array(W, dtype=float)
    out[out > 0] = lam / n
    out[out < 0] = -lam / n
    return out
''',
}


@pytest.mark.parametrize("name", sorted(CORRECT_VARIANTS))
def test_correct_variants_get_full_marks(name):
    results = graded(A, CORRECT_VARIANTS[name])
    assert all(r.passed for r in results.values()), [(r.item, r.message) for r in results.values() if not r.passed]
