"""04_sgd, fair and diagnostic: correct variants pass, each message says what actually happened (new arrays
put into the caller's dicts vs arrays modified in place), layers are numbered as the notebook does (from 1),
and known mistakes are named."""
import pytest

from autograder.tests.test_fair_grading import graded

A = "04_sgd"


@pytest.fixture(autouse=True)
def grading(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "1")      # the notebook skips its demonstrations


REPLACED = '''
def sgd_update(params, grads, lr):
    for p, g in zip(params, grads):
        p["W"] = p["W"] - lr * g["W"]
        p["b"] = p["b"] - lr * g["b"]
    return params
'''
IN_PLACE = REPLACED.replace('p["W"] = p["W"] - lr', 'p["W"] -= lr').replace('p["b"] = p["b"] - lr', 'p["b"] -= lr')


def test_new_arrays_in_the_callers_dicts_are_not_called_in_place():
    result = graded(A, REPLACED, {"updates_no_mutation"})["updates_no_mutation"]
    assert result.status == "failed"
    assert "put a new array into the caller's dict" in result.message and "in place" not in result.message
    assert "-=" not in result.message and "params[0][\"W\"] (layer 1)" in result.message


def test_in_place_updates_are_called_in_place():
    result = graded(A, IN_PLACE, {"updates_no_mutation"})["updates_no_mutation"]
    assert result.status == "failed"
    assert "modified the caller's array params[0][\"W\"] (layer 1) in place" in result.message
    assert "-=" in result.message


CORRECT_VARIANTS = {
    "a deep copy, then new arrays": '''
import copy
def sgd_update(params, grads, lr):
    new = copy.deepcopy(params)
    for p, g in zip(new, grads):
        for k in p:
            p[k] = p[k] - lr * g[k]
    return new
''',
    "tuple result and a dict per layer": '''
def momentum_update(params, grads, velocity, lr, mu):
    nv = [dict((k, mu * v[k] - lr * g[k]) for k in v) for v, g in zip(velocity, grads)]
    return [dict((k, p[k] + v[k]) for k in p) for p, v in zip(params, nv)], nv
''',
    "generator of minibatches": '''
def iterate_minibatches(X, Y, batch_size, rng, shuffle=True):
    order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        yield X[order[start:start + batch_size]], Y[order[start:start + batch_size]]
''',
}


@pytest.mark.parametrize("name", sorted(CORRECT_VARIANTS))
def test_correct_variants_get_full_marks(name):
    results = graded(A, CORRECT_VARIANTS[name])
    assert all(r.passed for r in results.values()), [(r.item, r.message) for r in results.values() if not r.passed]
    assert not any("Likely cause" in r.message for r in results.values())


LR_TIMES_M = '''
def train(X, Y, layer_sizes, epochs, batch_size, lr, mu, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    velocity = [{k: np.zeros_like(a) for k, a in p.items()} for p in params]
    history = []
    for _ in range(epochs):
        for Xb, Yb in iterate_minibatches(X, Y, batch_size, rng, shuffle=True):
            params, velocity = momentum_update(params, loss_and_grads(params, Xb, Yb)[1], velocity, lr * len(Xb), mu)
        history.append(loss(params, X, Y))
    return params, history
'''


def test_a_summed_minibatch_loss_is_named_even_when_accuracy_is_reached():
    result = graded(A, LR_TIMES_M, {"train_accuracy"})["train_accuracy"]
    assert result.status == "failed" and "Likely cause: lr was multiplied by the batch size" in result.message


def test_an_unseeded_train_fails_but_a_global_rng_minibatch_is_charged_once():
    unseeded = graded(A, '''
_train = train
def train(X, Y, layer_sizes, epochs, batch_size, lr, mu, seed):
    return _train(X, Y, layer_sizes, epochs, batch_size, lr, mu, int(np.random.randint(10 ** 6)))
''', {"train_accuracy"})["train_accuracy"]
    assert unseeded.status == "failed" and "same seed" in unseeded.message
    global_rng = graded(A, '''
def iterate_minibatches(X, Y, batch_size, rng, shuffle=True):
    order = np.random.permutation(len(X)) if shuffle else np.arange(len(X))
    return [(X[order[s:s + batch_size]], Y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]
''', {"minibatch_shuffle", "train_history", "train_accuracy"})
    assert [r.item for r in global_rng.values() if not r.passed] == ["minibatch_shuffle"]


def test_default_shuffle_and_unchanged_data_are_exercised():
    default_off = graded(A, '''
_it = iterate_minibatches
def iterate_minibatches(X, Y, batch_size, rng, shuffle=False):
    return _it(X, Y, batch_size, rng, shuffle)
''', {"minibatch_shuffle"})["minibatch_shuffle"]
    assert default_off.status == "failed" and "no shuffle argument" in default_off.message
    shuffles_x = graded(A, '''
def iterate_minibatches(X, Y, batch_size, rng, shuffle=True):
    if shuffle:
        order = rng.permutation(len(X))
        X[:] = X[order]
        Y[:] = Y[order]
    return [(X[s:s + batch_size], Y[s:s + batch_size]) for s in range(0, len(X), batch_size)]
''', {"minibatch_shuffle"})["minibatch_shuffle"]
    assert shuffles_x.status == "failed" and "modified X in place" in shuffles_x.message


def test_momentum_misconceptions_are_named():
    step_sign = graded(A, '''
def momentum_update(params, grads, velocity, lr, mu):
    nv = [{k: mu * v[k] - lr * g[k] for k in v} for v, g in zip(velocity, grads)]
    return [{k: p[k] - v[k] for k in p} for p, v in zip(params, nv)], nv
''', {"momentum_params"})["momentum_params"]
    assert "Likely cause, in every failing case: w' = w − v'" in step_sign.message
    no_mu = graded(A, '''
def momentum_update(params, grads, velocity, lr, mu):
    nv = [{k: v[k] - lr * g[k] for k in v} for v, g in zip(velocity, grads)]
    return [{k: p[k] + v[k] for k in p} for p, v in zip(params, nv)], nv
''', {"momentum_velocity"})["momentum_velocity"]
    assert "μ is missing" in no_mu.message and "new_velocity[0][\"W\"] (layer 1)" in no_mu.message
