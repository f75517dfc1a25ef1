"""Fair, diagnostic grading of 03_backprop: correct variants get full marks, every failed item of the
sample class's bug notebooks names the bug's misconception, a wrong forward is named as the cause in the
backward items, the cases added for uncovered clauses fail on realistic bugs, and messages are true."""
import pytest

import grading_config
from autograder.engine import visible
from autograder.items import load_items
from autograder.engine.notebook import code_cells, read_submission
from autograder.worker.namespace import LocalNamespace
from autograder.tests.fixtures import SAMPLE_CLASS
from autograder.tests.test_fair_grading import reference_namespace, run_items

A = "03_backprop"
ITEMS = {i.id: i for i in load_items(A)}
BACKWARD_ITEMS = [i for i in ITEMS if i.startswith("backward_")]


@pytest.fixture(autouse=True)
def grading(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")      # the notebooks' demonstrations skip themselves


def failed(results):
    return {ident: r.message for ident, r in results.items() if not r.passed}


def sample(student):
    namespace = {"__name__": "__main__"}
    for _, source in code_cells(read_submission(SAMPLE_CLASS / A / ("%s.ipynb" % student), 20)):
        exec(compile(source, "<cell>", "exec"), namespace)
    return LocalNamespace(namespace)


# ---------------------------------------------------------------- the sample class's bugs are named

BUG_CAUSES = {
    "bug-sum-not-mean": "summed over the batch, not averaged",
    "bug-bias-missing-1-over-n": "db is summed over the batch without the 1/n",
    "bug-sigmoid-not-derivative": "uses sigmoid(Z), the activation",
    "bug-relu-not-derivative": "uses relu(Z), the activation",
    "bug-transposed-dw": "the transpose of A_prevᵀ @ δ",
    "bug-transposed-dw-reshaped": "the transpose of A_prevᵀ @ δ",
    "bug-softmax-elementwise": "softmax treated as element-wise",
    "bug-x-not-restored": "left at x[i] − h",
    "bug-forward-difference": "one-sided (forward) differences",
    "bug-relative-error-global": "largest |a| + |b| of the whole array",
    "bug-init-global-random": "drawn from np.random",
}


def test_every_bug_sample_is_a_catalogued_case():
    assert {p.stem for p in (SAMPLE_CLASS / A).glob("bug-*.ipynb")} == set(BUG_CAUSES)


@pytest.mark.parametrize("student", sorted(BUG_CAUSES))
def test_every_failed_item_of_a_bug_sample_names_its_misconception(student):
    messages = failed(run_items(A, sample(student)))
    assert messages
    for ident, message in messages.items():
        assert "Likely cause" in message and BUG_CAUSES[student] in message, (ident, message)


# ---------------------------------------------------------------- correct answers get full marks

CORRECT_VARIANTS = {
    "containers": '''
_forward, _backward = forward, backward
def forward(params, X, hidden="sigmoid", output="sigmoid"):
    return list(_forward(params, X, hidden, output))               # a list, not a tuple
def backward(params, cache, Y, loss="quadratic"):
    return tuple(dict(g) for g in _backward(params, cache, Y, loss))   # a tuple of dicts
''',
    "other_forms": '''
def init_params(layer_sizes, rng):
    return [{"W": rng.standard_normal((a, b)) / np.sqrt(a), "b": np.zeros(b)}
            for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)                  # perturb a copy, restoring nothing
    grad = np.empty_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
def relative_error(a, b):                      # entry by entry over np.ndindex(a.shape), a numpy float back
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    worst = np.float64(0.0)
    for i in np.ndindex(a.shape):
        worst = max(worst, abs(a[i] - b[i]) / max(1e-8, abs(a[i]) + abs(b[i])))
    return worst
''',
}


@pytest.mark.parametrize("variant", sorted(CORRECT_VARIANTS))
def test_a_correct_variant_gets_full_marks(variant):
    assert failed(run_items(A, reference_namespace(A, CORRECT_VARIANTS[variant]))) == {}


@pytest.mark.parametrize("student", ["reference", "alt-loops-recursion", "alt-einsum-object-cache"])
def test_correct_samples_get_full_marks(student):
    assert failed(run_items(A, sample(student))) == {}


# ---------------------------------------------------------------- one bug, one loss

FORWARD_IGNORES_ACTIVATIONS = '''
_forward = forward
def forward(params, X, hidden="sigmoid", output="sigmoid"):
    return _forward(params, X, "sigmoid", "sigmoid")
'''


@pytest.mark.parametrize("policy", ["charge", "excuse"])
def test_a_forward_bug_is_named_as_the_cause_in_backward_items(monkeypatch, policy):
    monkeypatch.setattr(grading_config, "DEPENDENT_ITEMS", policy)
    results = run_items(A, reference_namespace(A, FORWARD_IGNORES_ACTIVATIONS))
    messages = failed(results)
    assert {"forward_values", "forward_random"} <= set(messages)
    assert "Likely cause" in messages["forward_values"] and "forward ignores" in messages["forward_values"]
    hit = [i for i in BACKWARD_ITEMS if results[i].status in ("failed", "excused")]
    assert hit
    for ident in hit:
        message = results[ident].message
        assert message.startswith("Items forward_values, forward_random, which this one builds on, fail too")
        assert "`forward` on " in message and "Likely cause: forward ignores" in message, (ident, message)
        assert "`backward` on" not in message
        assert results[ident].status == ("failed" if policy == "charge" else "excused")


# ---------------------------------------------------------------- new cases: the signature's defaults


def test_forward_default_activations_are_checked():
    nb = reference_namespace(A, '''
_forward = forward
def forward(params, X, hidden="relu", output="softmax"):
    return _forward(params, X, hidden, output)
''')
    messages = failed(run_items(A, nb, {"forward_values", "forward_random"}))
    assert set(messages) == {"forward_random"} and "without hidden and output" in messages["forward_random"]


def test_backward_default_loss_is_checked():
    nb = reference_namespace(A, '''
_backward = backward
def backward(params, cache, Y, loss):
    return _backward(params, cache, Y, loss)
''')
    messages = failed(run_items(A, nb, BACKWARD_ITEMS))
    assert set(messages) == {"backward_sigmoid_quadratic"}
    assert "raised an error" in messages["backward_sigmoid_quadratic"]


# ---------------------------------------------------------------- catalogued misconceptions beyond the samples

BACKWARD_BUGS = {
    "no σ' for the quadratic loss": ('''
    elif cache["output"] == "sigmoid":
        delta = (a - Y) * sigmoid_prime(Z[-1])''', '''
    elif cache["output"] == "sigmoid":
        delta = a - Y''', "backward_sigmoid_quadratic", "lacks the σ'(z_L) factor"),
    "σ' for cross-entropy": ('''
        delta = a - Y                                   # σ' (or the softmax Jacobian) cancels''', '''
        delta = (a - Y) * (sigmoid_prime(Z[-1]) if cache["output"] == "sigmoid" else 1)''',
                             "backward_sigmoid_cross_entropy", "cross-entropy keeps the σ' factor"),
    "db with keepdims": ('"b": np.sum(delta, axis=0) / n', '"b": np.sum(delta, axis=0, keepdims=True) / n',
                         "backward_bias", "keepdims=True"),
}


def _reference_backward():
    source = dict(code_cells(read_submission(SAMPLE_CLASS / A / "reference.ipynb", 20)))
    return next(s for s in source.values() if s.startswith("def backward"))


@pytest.mark.parametrize("bug", sorted(BACKWARD_BUGS))
def test_a_backward_misconception_is_named(bug):
    old, new, item, cause = BACKWARD_BUGS[bug]
    source = _reference_backward()
    assert old in source
    messages = failed(run_items(A, reference_namespace(A, source.replace(old, new)), BACKWARD_ITEMS))
    assert item in messages and cause in messages[item], messages


OTHER_BUGS = [
    ("numerical_gradient_values", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(grad.shape):
        old = x[i]
        x[i] = old + h; up = f(x)
        x[i] = old - h; down = f(x)
        x[i] = old
        grad[i] = (up - down) / h
    return grad
''', "divided by h instead of 2h"),
    ("numerical_gradient_values", '''
_numerical_gradient = numerical_gradient
def numerical_gradient(f, x, h=1e-5):
    return _numerical_gradient(f, x)
''', "the h argument is ignored"),
    ("numerical_gradient_restores", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(grad.shape):
        x[i] += h; up = f(x)
        x[i] -= 2 * h; down = f(x)
        x[i] += h
        grad[i] = (up - down) / (2 * h)
    return grad
''', "restored by adding and subtracting h"),
    ("relative_error_values", '''
def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.sum(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
''', "summed instead of taking the largest"),
    ("relative_error_values", '''
def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-8)))
''', "added to the denominator"),
    ("init_params_random", '''
def init_params(layer_sizes, rng):
    return [{"W": rng.normal(0, 1 / a, size=(a, b)), "b": np.zeros(b)} for a, b in zip(layer_sizes, layer_sizes[1:])]
''', "1/n_in is the variance"),
]


@pytest.mark.parametrize("item,extra,cause", OTHER_BUGS, ids=[c for _, _, c in OTHER_BUGS])
def test_another_misconception_is_named(item, extra, cause):
    messages = failed(run_items(A, reference_namespace(A, extra), {item}))
    assert item in messages and "Likely cause" in messages[item] and cause in messages[item], messages


# ---------------------------------------------------------------- messages are true


def test_new_arrays_put_into_the_callers_params_are_not_called_in_place():
    nb = reference_namespace(A, '''
_backward = backward
def backward(params, cache, Y, loss="quadratic"):
    grads = _backward(params, cache, Y, loss)
    for p, g in zip(params, grads):
        p["W"] = p["W"] - 0.1 * g["W"]           # a new array, put into the caller's dict
    return grads
''')
    message = failed(run_items(A, nb, {"backward_deep"}))["backward_deep"]
    assert "params[0]['W'] (layer 1's W) is not what it was" in message and "in place" not in message


def test_layers_count_from_1_in_messages():
    nb = reference_namespace(A, '''
_backward = backward
def backward(params, cache, Y, loss="quadratic"):
    grads = _backward(params, cache, Y, loss)
    grads[0]["W"] = grads[0]["W"] * 2               # only the first layer (params[0]) is wrong
    return grads
''')
    failing = failed(run_items(A, nb, {"backward_sigmoid_quadratic"}))["backward_sigmoid_quadratic"].splitlines()[0]
    assert "layer 1's W" in failing and "layer 2's W" not in failing and "layer 0" not in failing


@pytest.mark.parametrize("student", ["bug-init-global-random", "bug-x-not-restored", "bug-sum-not-mean",
                                     "bug-transposed-dw", "bug-relative-error-global"])
def test_feedback_policy_withholds_the_suites_own_diagnoses(monkeypatch, student):
    monkeypatch.setattr(grading_config, "FEEDBACK", {"hints": False, "diagnoses": False})
    visible.compile_item.cache_clear()          # visible items compile under the policy
    try:
        messages = failed(run_items(A, sample(student)))
    finally:
        visible.compile_item.cache_clear()
    assert messages and not any("Likely cause" in m or "Hint:" in m for m in messages.values()), messages
