"""Assignment 05 — L2 / L1 weight regularization and early stopping. Each `test_<item>` is one graded item.

`params` and `grads` are lists of layers, each a dict {"W": (n_in, n_out), "b": (n_out,)}; the notebook
calls params[0] "W1, b1", so messages name params[0] as layer 1.
"""
import numpy as np

from autograder.expect import (describe, expect_all_close, expect_close, expect_exact, expect_sequence,
                               expect_structure, expect_unchanged, fail, known, likely_cause)
from autograder.items import item

# The assignment: its title, its due date (UTC) and, for 07, its grading settings. Each item declares its
# points with @item below. grading_config.ASSIGNMENTS["05_l2"] overrides any of these for a course.
ASSIGNMENT = {
    "title": "Overfitting and regularization: L2, L1, early stopping",
    "due": "2027-01-01 23:59:00 UTC",
}

# The notebook's written contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("l2_penalty(params, lam, n) = λ/(2n) · the sum of the squares of every weight of every layer (a float)",
     ["l2_penalty_values"]),
    ("l2_grad(W, lam, n) = (λ/n)·W, the shape of W (any shape)", ["l2_grad_values"]),
    ("l1_penalty(params, lam, n) = λ/n · the sum (not the mean) of |w| over every weight of every layer",
     ["l1_penalty_values"]),
    ("l1_grad(W, lam, n) = (λ/n)·sign(W)", ["l1_grad_values"]),
    ("l1_grad is 0 where a weight is exactly 0", ["l1_grad_at_zero"]),
    ("the penalties regularize the weights only, never the biases", ["penalties_weights_only"]),
    ("l2_grad and l1_grad leave W unchanged; the penalties leave params unchanged (functions never modify "
     "their inputs)", ["l2_grad_values", "l1_grad_values", "penalties_weights_only"]),
    ("regularized_grads(..., kind=\"l2\"): each weight gradient is dW + l2_grad(W, λ, n)", ["regularized_grads_l2"]),
    ("regularized_grads(..., kind=\"l1\"): each weight gradient is dW + l1_grad(W, λ, n)", ["regularized_grads_l1"]),
    ("regularized_grads returns a new list of dicts {\"W\", \"b\"}, one per layer",
     ["regularized_grads_l2", "regularized_grads_l1"]),
    ("regularized_grads returns the bias gradients unchanged (as copies)", ["regularized_grads_biases"]),
    ("regularized_grads modifies neither grads nor params (no +=, no new arrays put into the caller's dicts)",
     ["regularized_grads_no_mutation"]),
    ("early_stopping returns the pair (best_epoch, stop): an integer and a bool", ["early_stopping_basic"]),
    ("best_epoch is the index of the lowest loss of the whole list, also when a new best comes after "
     "`patience` epochs without one", ["early_stopping_basic", "early_stopping_patience"]),
    ("only a strictly lower loss is an improvement (however small): ties keep the first epoch",
     ["early_stopping_ties"]),
    ("stop is True exactly when len(val_losses) − 1 − best_epoch ≥ patience, else False (one loss included)",
     ["early_stopping_basic", "early_stopping_patience"]),
    ("early_stopping leaves val_losses unchanged", ["early_stopping_patience"]),
]


def _weights(params, f):
    return sum(float(np.sum(f(np.asarray(layer["W"], dtype=float)))) for layer in params)


def _all(params, f):
    return sum(float(np.sum(f(np.asarray(a, dtype=float)))) for layer in params for a in layer.values())


def _regularized(rule, bias_rule=None):
    """regularized_grads with a per-array weight rule(dW, W, lam, n, kind) and bias rule(db, b, lam, n, kind)."""
    def wrong(grads, params, lam, n, kind="l2"):
        return [{"W": rule(np.asarray(g["W"], dtype=float), np.asarray(p["W"], dtype=float), lam, n, kind),
                 "b": (bias_rule or (lambda db, b, *_: db))(np.asarray(g["b"], dtype=float),
                                                               np.asarray(p["b"], dtype=float), lam, n, kind)}
                for g, p in zip(grads, params)]
    return wrong


def _penalty_grad(W, lam, n, kind):
    return lam / n * (W if kind == "l2" else np.sign(W))


# For each function, what it returns when the student made a known mistake (on the item's own inputs).
MISCONCEPTIONS = {
    "l2_penalty": [
        ("the ½ is missing: λ/n Σw² is twice the penalty (the ½ is what makes the derivative λw)",
         lambda params, lam, n: lam / n * _weights(params, np.square)),
        ("the 1/n is missing: λ/2 Σw² (the slides' 1/n multiplies the whole bracket, the penalty included)",
         lambda params, lam, n: lam / 2 * _weights(params, np.square)),
        ("both the ½ and the 1/n are missing: λ Σw²", lambda params, lam, n: lam * _weights(params, np.square)),
        ("the biases were penalized too: only the weights W are", lambda params, lam, n: lam / (2 * n)
         * _all(params, np.square)),
        ("you took the norms ‖W‖ without squaring them", lambda params, lam, n: lam / (2 * n) * sum(
            float(np.linalg.norm(layer["W"])) for layer in params)),
        ("you summed W.T @ W (inner products of columns), not the squares of the weights",
         lambda params, lam, n: lam / (2 * n) * sum(float(np.sum(np.asarray(l["W"]).T @ np.asarray(l["W"])))
                                                    for l in params)),
        ("you averaged the squares (np.mean) instead of summing them", lambda params, lam, n: lam / (2 * n) * sum(
            float(np.mean(np.square(layer["W"]))) for layer in params)),
    ],
    "l2_grad": [
        ("the 1/n is missing: λW is the slides' derivative of the term inside the bracket (1/n)(...)",
         lambda W, lam, n: lam * np.asarray(W, dtype=float)),
        ("the ½ of the penalty stayed in the gradient: λ/(2n)·W (d/dw of (λ/2n)w² is (λ/n)w)",
         lambda W, lam, n: lam / (2 * n) * np.asarray(W, dtype=float)),
        ("the gradient has a minus sign: −(λ/n)W (the update subtracts it, the gradient does not)",
         lambda W, lam, n: -lam / n * np.asarray(W, dtype=float)),
        ("you returned λ/n·sign(W), the L1 gradient", lambda W, lam, n: lam / n * np.sign(W)),
    ],
    "l1_penalty": [
        ("you averaged |w| (np.mean) instead of summing it", lambda params, lam, n: lam / n * sum(
            float(np.mean(np.abs(layer["W"]))) for layer in params)),
        ("the 1/n is missing: λ Σ|w|", lambda params, lam, n: lam * _weights(params, np.abs)),
        ("a ½ was copied from L2: λ/(2n) Σ|w| (L1 has no ½)", lambda params, lam, n: lam / (2 * n)
         * _weights(params, np.abs)),
        ("the biases were penalized too: only the weights W are", lambda params, lam, n: lam / n
         * _all(params, np.abs)),
        ("you summed the weights themselves, not their absolute values", lambda params, lam, n: lam / n
         * _weights(params, lambda W: W)),
    ],
    "l1_grad": [
        ("the 1/n is missing: λ·sign(W)", lambda W, lam, n: lam * np.sign(W)),
        ("sign(0) was taken as +1 (e.g. np.where(W >= 0, 1, -1)): the notebook's convention is 0 at w = 0",
         lambda W, lam, n: lam / n * np.where(np.asarray(W) >= 0, 1.0, -1.0)),
        ("sign(0) was taken as −1 (e.g. np.where(W > 0, 1, -1)): the notebook's convention is 0 at w = 0",
         lambda W, lam, n: lam / n * np.where(np.asarray(W) > 0, 1.0, -1.0)),
        ("you returned (λ/n)·W, the L2 gradient", lambda W, lam, n: lam / n * np.asarray(W, dtype=float)),
        ("you returned (λ/n)·|W|: the slope of |w| is sign(w)", lambda W, lam, n: lam / n * np.abs(W)),
    ],
    "regularized_grads": [
        ("the biases' gradients got the penalty gradient too: only W is regularized, db stays as it was",
         _regularized(lambda dW, W, lam, n, kind: dW + _penalty_grad(W, lam, n, kind),
                      lambda db, b, lam, n, kind: db + _penalty_grad(b, lam, n, kind))),
        ("the penalty gradient lacks the 1/n: dW + λW (your l2_grad, or its formula, without 1/n)",
         _regularized(lambda dW, W, lam, n, kind: dW + lam * (W if kind == "l2" else np.sign(W)))),
        ("the penalty gradient was subtracted: dW − penalty gradient (the gradient of J0 + penalty adds it)",
         _regularized(lambda dW, W, lam, n, kind: dW - _penalty_grad(W, lam, n, kind))),
        ("the data gradient dW was left out: only the penalty gradient was returned",
         _regularized(lambda dW, W, lam, n, kind: _penalty_grad(W, lam, n, kind))),
        ("kind was ignored: the L2 gradient (λ/n)W was added for kind=\"l1\" too",
         _regularized(lambda dW, W, lam, n, kind: dW + lam / n * W)),
        ("kind was ignored: the L1 gradient (λ/n)sign(W) was added for kind=\"l2\" too",
         _regularized(lambda dW, W, lam, n, kind: dW + lam / n * np.sign(W))),
    ],
    "early_stopping": [
        ("an equal loss was counted as an improvement (<= instead of <): best_epoch must be the FIRST of tied "
         "minima", lambda val_losses, patience: _stopping(val_losses, patience, best="last")),
        ("stop comes one epoch late (> patience instead of >= patience)",
         lambda val_losses, patience: _stopping(val_losses, patience, late=1)),
        ("stop comes one epoch early (it counts the best epoch itself, or compares with patience − 1)",
         lambda val_losses, patience: _stopping(val_losses, patience, late=-1)),
        ("the loop returns as soon as patience first runs out, so a later, lower loss is never seen: best_epoch "
         "is the lowest loss of the whole list", lambda val_losses, patience: _stopping(val_losses, patience,
                                                                                        first_stop=True)),
        ("only an improvement larger than a tolerance (a min_delta) was counted: any strictly lower loss is one",
         lambda val_losses, patience: _stopping(val_losses, patience, min_delta=1e-6)),
        ("epochs without improvement were counted since the previous epoch's loss, not since the best loss",
         lambda val_losses, patience: _stopping(val_losses, patience, since_previous=True)),
    ],
}


def _stopping(val_losses, patience, best="first", late=0, first_stop=False, min_delta=0.0, since_previous=False):
    """early_stopping with one of the known mistakes."""
    best_loss, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        improved = loss <= best_loss if best == "last" else loss < best_loss - min_delta
        if improved:
            best_loss, best_epoch = loss, epoch
        if since_previous:
            wait = 0 if epoch == 0 or loss < val_losses[epoch - 1] else wait + 1
        else:
            wait = 0 if improved else wait + 1
        if first_stop and wait >= patience:
            return best_epoch, True
    return best_epoch, wait >= patience + late


def known_part(func, part, *args):
    """`known(MISCONCEPTIONS, func, *args)` for one part of a structured answer (`part(result)`)."""
    return known({func: [(cause, lambda *a, wrong=wrong: part(wrong(*a))) for cause, wrong in MISCONCEPTIONS[func]]},
                 func, *args)


def entry(what, layer, key):
    """How the messages name one array: by its index, and by the notebook's layer number (W1 is params[0]["W"])."""
    return "%s[%d][\"%s\"] (layer %d)" % (what, layer, key, layer + 1)


PENALTY_HINT = ("J = (1/n)(Σ J_i + (λ/2) Σ w²): the L2 term is λ/(2n) · (sum of the squares of every weight, "
                "all layers)")


def ref_l2_penalty(params, lam, n):
    return lam / (2 * n) * sum(float(np.sum(np.square(layer["W"]))) for layer in params)


def ref_l1_penalty(params, lam, n):
    return lam / n * sum(float(np.sum(np.abs(layer["W"]))) for layer in params)


def ref_l2_grad(W, lam, n):
    return lam / n * np.asarray(W, dtype=float)


def ref_l1_grad(W, lam, n):
    return lam / n * np.sign(np.asarray(W, dtype=float))


def ref_regularized_grads(grads, params, lam, n, kind):
    reg = {"l2": ref_l2_grad, "l1": ref_l1_grad}[kind]
    return [{"W": g["W"] + reg(p["W"], lam, n), "b": g["b"].copy()} for g, p in zip(grads, params)]


def ref_early_stopping(val_losses, patience):
    best = int(np.argmin(val_losses))       # the first of tied minima: an equal loss is no improvement
    return best, len(val_losses) - 1 - best >= patience


def random_params(rng, sizes, bias_scale=0.0):
    """Layers for the layer sizes [n_in, h1, ..., n_out]; biases are 0 unless bias_scale > 0."""
    return [{"W": rng.normal(0, 1.5, size=(a, b)), "b": rng.normal(0, bias_scale, size=b)}
            for a, b in zip(sizes[:-1], sizes[1:])]


def random_sizes(rng):
    """Layer sizes [n_in, ..., n_out] of 1 to 4 layers, each width between 1 and 8."""
    return [int(s) for s in rng.integers(1, 9, size=rng.integers(2, 6))]


def _check_penalty(nb, func, ref, params, lam, n, case, hint):
    """One call of a penalty: its value (with the known mistakes on these inputs), then params unchanged."""
    call = nb.inspect(func, params, lam, n)
    expect_close(call.value, ref(params, lam, n), func, case, hint, known=known(MISCONCEPTIONS, func, params, lam, n))
    return call


def _grads_cases(got, grads, params, lam, n, kind, case, key):
    """expect_all_close cases for one key ("W" or "b") of every layer of regularized_grads."""
    expected = ref_regularized_grads(grads, params, lam, n, kind)
    return [["%s — %s" % (case, entry("result", i, key)), got[i][key], e[key],
             known_part("regularized_grads", lambda r, i=i: r[i][key], grads, params, lam, n, kind)]
            for i, e in enumerate(expected)]


def _regularized_call(nb, grads, params, lam, n, kind, case):
    got = nb.regularized_grads(grads, params, lam, n, kind)
    expect_structure(got, grads, "regularized_grads", case, "the gradients",
                     "return a new list with one dict {\"W\": ..., \"b\": ...} per layer, like `grads`")
    return got


def _random_grads(rng, params):
    return [{"W": rng.normal(size=p["W"].shape), "b": rng.normal(size=p["b"].shape)} for p in params]


def _losses_text(val_losses):
    rounded = np.round(val_losses, 3)
    shown = rounded if len(set(rounded.tolist())) == len(set(val_losses)) else np.asarray(val_losses)
    return str([float("%.12g" % v) for v in shown])


def _check_stopping(nb, val_losses, patience, hint):
    case = "val_losses=%s, patience=%d" % (_losses_text(val_losses), patience)
    got = nb.early_stopping(list(val_losses), patience)
    expect_sequence(got, 2, "early_stopping", case, "a pair (best_epoch, stop)", "return best_epoch, stop")
    want_best, want_stop = ref_early_stopping(val_losses, patience)
    expect_exact(got[0], want_best, "early_stopping", case, "best_epoch", hint,
                 "best_epoch is the position of the best loss in the list")
    expect_exact(got[1], want_stop, "early_stopping", case, "stop", hint,
                 "return a bool, e.g. the result of a comparison")


def _check_stopping_all(nb, cases, hint, unchanged=False):
    """Hidden items: every (val_losses, patience) case, the list left unchanged, then one message for all the
    wrong answers (how many, the first in full) naming the known mistake that gives every answer seen."""
    func, answers, wrong = "early_stopping", [], []
    for val_losses, patience in cases:
        case = "val_losses=%s, patience=%d" % (_losses_text(val_losses), patience)
        call = nb.inspect(func, list(val_losses), patience)
        got = call.value
        expect_sequence(got, 2, func, case, "a pair (best_epoch, stop)", "return best_epoch, stop")
        want = ref_early_stopping(val_losses, patience)
        if not isinstance(got[0], (int, np.integer)) or isinstance(got[0], (bool, np.bool_)):
            fail(func, case, "best_epoch should be an integer, got %s" % describe(got[0]),
                 "best_epoch is the position of the best loss in the list")
        if not isinstance(got[1], (bool, np.bool_)):
            fail(func, case, "stop should be True or False, got %s" % describe(got[1]),
                 "return a bool, e.g. the result of a comparison")
        if unchanged and call.args[0] != list(val_losses):
            fail(func, case, "it modified the caller's list val_losses (now %s)" % _losses_text(call.args[0])
                 if isinstance(call.args[0], list) and call.args[0] else "it modified the caller's list val_losses",
                 "read val_losses without changing it (no sort(), append(), pop() on it): the caller's history "
                 "must stay as it was")
        answers.append((int(got[0]), bool(got[1])))
        if answers[-1] != want:
            wrong.append((case, want, answers[-1]))
    if not wrong:
        return
    causes = [cause for cause, mistake in MISCONCEPTIONS[func]
              if all(tuple(mistake(list(v), p)) == a for (v, p), a in zip(cases, answers))]
    first = wrong[0]
    problem = "expected (best_epoch, stop) = (%d, %s), got (%d, %s)" % (first[1] + first[2])
    if len(wrong) > 1:
        problem = "%d of %d cases are wrong; the first: %s" % (len(wrong), len(cases), problem)
    fail(func, first[0], problem + (likely_cause(causes[0]) if causes else ""), hint)


@item(points=2, visible=True)
def test_l2_penalty_values(nb):
    """l2_penalty = λ/(2n) Σ‖W‖² over the weights of every layer"""
    one = [{"W": np.array([[1.0, -2.0], [3.0, 0.5]]), "b": np.zeros(2)}]
    _check_penalty(nb, "l2_penalty", ref_l2_penalty, one, 0.5, 10, "one layer W=[[1, -2], [3, 0.5]], "
                   "b=0, λ=0.5, n=10 (expected 0.5/20 · 14.25)", PENALTY_HINT)
    rng = np.random.default_rng(501)
    for sizes, lam, n in [([4, 3, 2], 0.1, 50), ([5, 7, 6, 1], 2.0, 12), ([3, 1], 1.0, 1)]:
        _check_penalty(nb, "l2_penalty", ref_l2_penalty, random_params(rng, sizes), lam, n,
                       "layers of sizes %s, biases 0, λ=%s, n=%d" % (sizes, lam, n),
                       PENALTY_HINT + "; np.sum(W ** 2) sums every entry (W.T @ W does not)")


@item(points=2, visible=True)
def test_l2_grad_values(nb):
    """l2_grad(W, λ, n) = (λ/n) W, any shape, without modifying W"""
    rng = np.random.default_rng(502)
    for shape, lam, n in [((2, 3), 0.5, 10), ((6, 1), 3.0, 7), ((4,), 1.0, 1), ((5, 8), 0.01, 1000)]:
        W = rng.normal(size=shape)
        call = nb.inspect("l2_grad", W, lam, n)
        expect_close(call.value, ref_l2_grad(W, lam, n), "l2_grad", "W of shape %s, λ=%s, n=%d" % (shape, lam, n),
                     hint="the slides' ∂J/∂w = λw is inside the bracket (1/n)(...): with the 1/n it is (λ/n)·W",
                     known=known(MISCONCEPTIONS, "l2_grad", W, lam, n))
        expect_unchanged(W, call.args[0], "l2_grad", "W", GRAD_MUTATION_HINT)


GRAD_MUTATION_HINT = ("return a new array (lam / n * W); `*=`, `W[...] = ...` or out=W change the caller's W — "
                      "regularized_grads passes params' own weights, so this also changes the caller's params")


@item(points=1, visible=True)
def test_l1_penalty_values(nb):
    """l1_penalty = λ/n Σ|W| over the weights of every layer"""
    rng = np.random.default_rng(503)
    for sizes, lam, n in [([2, 2], 0.5, 10), ([4, 3, 2], 0.2, 30), ([6, 5, 1], 1.5, 8)]:
        _check_penalty(nb, "l1_penalty", ref_l1_penalty, random_params(rng, sizes), lam, n,
                       "layers of sizes %s, biases 0, λ=%s, n=%d" % (sizes, lam, n),
                       "λ/n times the sum (not the mean) of |w| over every weight of every layer")


@item(points=1, visible=True)
def test_l1_grad_values(nb):
    """l1_grad(W, λ, n) = (λ/n) sign(W) for non-zero weights"""
    rng = np.random.default_rng(504)
    for shape, lam, n in [((3, 2), 0.5, 10), ((5, 1), 2.0, 4), ((7,), 1.0, 1)]:
        W = rng.normal(size=shape)
        W[np.abs(W) < 0.05] = 0.5                     # zeros are tested separately
        call = nb.inspect("l1_grad", W, lam, n)
        expect_close(call.value, ref_l1_grad(W, lam, n), "l1_grad", "W of shape %s, λ=%s, n=%d" % (shape, lam, n),
                     hint="(λ/n)·sign(W): +λ/n for positive weights, −λ/n for negative ones",
                     known=known(MISCONCEPTIONS, "l1_grad", W, lam, n))
        expect_unchanged(W, call.args[0], "l1_grad", "W", GRAD_MUTATION_HINT)


@item(points=1)
def test_l1_grad_at_zero(nb):
    """l1_grad is 0 where a weight is exactly 0 (the notebook's convention sign(0) = 0)"""
    W = np.array([[0.0, 1.5, -0.0], [-2.0, 0.0, 1e-12]])
    expect_close(nb.l1_grad(W, 0.8, 4), ref_l1_grad(W, 0.8, 4), "l1_grad", "W with exact zeros, λ=0.8, n=4",
                 hint="np.sign(0) is 0, which is what the notebook asks for (|w| has no slope at 0)",
                 known=known(MISCONCEPTIONS, "l1_grad", W, 0.8, 4))


@item(points=1)
def test_penalties_weights_only(nb):
    """l2_penalty and l1_penalty ignore the biases"""
    rng = np.random.default_rng(505)
    bias_terms = {"l2_penalty": lambda params, lam, n: lam / (2 * n) * sum(float(np.sum(p["b"] ** 2)) for p in params),
                  "l1_penalty": lambda params, lam, n: lam / n * sum(float(np.sum(np.abs(p["b"]))) for p in params)}
    for _ in range(3):
        sizes, lam, n = random_sizes(rng), float(rng.uniform(0.1, 3)), int(rng.integers(1, 200))
        params = random_params(rng, sizes, bias_scale=5.0)
        no_bias = [{"W": p["W"], "b": np.zeros_like(p["b"])} for p in params]
        case = ("layers of sizes %s with large biases, λ=%.3g, n=%d (expected: its penalty with all "
                "biases set to 0)" % (sizes, lam, n))
        for func in ("l2_penalty", "l1_penalty"):
            call = nb.inspect(func, params, lam, n)
            without = getattr(nb, func)(no_bias, lam, n)
            try:
                biased = [[float(without) + bias_terms[func](params, lam, n),
                           "the biases were penalized too: only the weights W are"]]
            except (TypeError, ValueError):
                biased = []
            expect_close(call.value, without, func, case,
                         hint="only the weights W are regularized: the same network with all biases set "
                              "to 0 must get the same penalty", known=biased)
            for i, layer in enumerate(params):
                for key in ("W", "b"):
                    after = call.args[0][i].get(key) if isinstance(call.args[0], list) and i < len(call.args[0]) \
                        and isinstance(call.args[0][i], dict) else None
                    expect_unchanged(layer[key], after, func, "the caller's " + entry("params", i, key),
                                     "compute the penalty without changing params (no **=, no abs(..., out=...))")


@item(points=2, visible=True, after=("l2_grad_values",))
def test_regularized_grads_l2(nb):
    """regularized_grads(..., kind="l2") adds (λ/n) W to each weight gradient"""
    rng = np.random.default_rng(506)
    cases = []
    for sizes, lam, n in [([3, 4, 2], 0.5, 10), ([2, 5, 5, 1], 1.0, 40), ([3, 2], 0.0, 5)]:
        params = random_params(rng, sizes, bias_scale=1.0)
        grads = _random_grads(rng, params)
        case = "layers of sizes %s, λ=%s, n=%d, kind=\"l2\"" % (sizes, lam, n)
        got = _regularized_call(nb, grads, params, lam, n, "l2", case)
        cases += _grads_cases(got, grads, params, lam, n, "l2", case, "W")
    expect_all_close(cases, "regularized_grads",
                     "the new weight gradient is dW + l2_grad(W, λ, n): the data part plus (λ/n)·W")


@item(points=1, after=("l1_grad_values",))
def test_regularized_grads_l1(nb):
    """regularized_grads(..., kind="l1") adds (λ/n) sign(W) to each weight gradient"""
    rng = np.random.default_rng(507)
    cases = []
    for _ in range(3):
        sizes, lam, n = random_sizes(rng), float(rng.uniform(0.1, 3)), int(rng.integers(1, 100))
        params = random_params(rng, sizes, bias_scale=1.0)
        grads = _random_grads(rng, params)
        case = "layers of sizes %s, λ=%.3g, n=%d, kind=\"l1\"" % (sizes, lam, n)
        got = _regularized_call(nb, grads, params, lam, n, "l1", case)
        cases += _grads_cases(got, grads, params, lam, n, "l1", case, "W")
    expect_all_close(cases, "regularized_grads", "with kind=\"l1\" the new weight gradient is dW + l1_grad(W, λ, n)")


@item(points=1)
def test_regularized_grads_biases(nb):
    """regularized_grads leaves the bias gradients exactly as they were"""
    rng = np.random.default_rng(508)
    cases = []
    for kind in ("l2", "l1"):
        sizes = random_sizes(rng)
        params = random_params(rng, sizes, bias_scale=5.0)
        grads = _random_grads(rng, params)
        case = "layers of sizes %s with large biases, λ=2, n=3, kind=\"%s\"" % (sizes, kind)
        got = _regularized_call(nb, grads, params, 2.0, 3, kind, case)
        cases += _grads_cases(got, grads, params, 2.0, 3, kind, case, "b")
    expect_all_close(cases, "regularized_grads",
                     "biases are not regularized: each layer's \"b\" gradient is returned unchanged (a copy)")


# -- no mutation: what changed in the caller's structures, how, and whose doing it is ------------------
PROMOTES = np.result_type(np.float32, np.float64(1.0)) == np.float64      # NumPy ≥ 2 (NEP 50)


def _first_change(before, after, what):
    """(entry, layer, key, "values" | "structure") of the first array of `before` not as it was, or None."""
    if not isinstance(after, list) or len(after) != len(before):
        return what, None, None, "structure"
    for layer, (b, a) in enumerate(zip(before, after)):
        if not isinstance(a, dict) or set(a) != set(b):
            return "%s[%d] (layer %d)" % (what, layer, layer + 1), layer, None, "structure"
        for key in sorted(b):
            if not (isinstance(a[key], np.ndarray) and a[key].shape == b[key].shape
                    and np.array_equal(a[key], b[key])):
                return entry(what, layer, key), layer, key, "values"
    return None


def _how_changed(nb, args, position, layer, key):
    """"in place" or "replaced": call again with float32 arrays and a float64 λ. An in-place update (+=, out=)
    keeps the caller's float32 array; new arrays put into the caller's dicts are float64."""
    if not PROMOTES:
        return None
    probe = [[{k: np.asarray(a, dtype=np.float32) for k, a in d.items()} for d in arg] if isinstance(arg, list)
             else np.float64(arg) if isinstance(arg, float) else arg for arg in args]
    try:
        after = nb.inspect("regularized_grads", *probe).args[position][layer][key]
    except Exception:          # the student's function behaves differently on these: no verdict
        return None
    if not isinstance(after, np.ndarray) or np.array_equal(after, probe[position][layer][key]):
        return None
    return "in place" if after.dtype == np.float32 else "replaced"


def _penalty_grad_mutates(nb, kind):
    """Whether the student's l2_grad / l1_grad (the one for `kind`) modifies the W it is given."""
    W = np.array([[0.5, -1.5], [2.0, -0.25]])
    try:
        after = nb.inspect(kind + "_grad", W, 0.5, 10).args[0]
    except Exception:
        return False
    return not (isinstance(after, np.ndarray) and np.array_equal(after, W))


MUTATION_HINTS = {
    "in place": "build new arrays (g[\"W\"] + ...); `+=` (or out=) on g[\"W\"] changes the caller's array",
    "replaced": "build a new list of new dicts for the result ([{\"W\": ..., \"b\": ...} for ...]); assigning "
                "g[\"W\"] = ... or grads[i] = ... changes the caller's list and dicts",
    None: "return a new list of new dicts with new arrays, and leave the caller's grads and params as they were",
}


@item(points=1)
def test_regularized_grads_no_mutation(nb):
    """regularized_grads returns new arrays and leaves grads and params unchanged"""
    rng = np.random.default_rng(509)
    for kind in ("l2", "l1"):
        params = random_params(rng, [4, 3, 2], bias_scale=1.0)
        grads = _random_grads(rng, params)
        args = (grads, params, 0.5, 10, kind)
        call = nb.inspect("regularized_grads", *args)
        # l2_grad / l1_grad modifying the W they are given is their items' loss (l2_grad_values, l1_grad_values)
        excused = _penalty_grad_mutates(nb, kind)
        for position, (what, before) in enumerate((("grads", grads), ("params", params))):
            change = _first_change(before, call.args[position], what)
            if change is None:
                continue
            where, layer, key, kind_of_change = change
            if what == "params" and key == "W" and excused:
                continue
            how = _how_changed(nb, args, position, layer, key) if kind_of_change == "values" else None
            problem = {"in place": "it modified the caller's array %s in place" % where,
                       "replaced": "it put a new array into the caller's dict: after the call %s is a different "
                                   "array (the old array itself was not modified, but the caller's %s changed)"
                                   % (where, what),
                       None: "it changed the caller's %s" % where}[how]
            fail("regularized_grads", "kind=\"%s\" — its inputs" % kind, problem, MUTATION_HINTS[how])


@item(points=2, visible=True)
def test_early_stopping_basic(nb):
    """early_stopping returns (index of the lowest loss, whether patience has run out)"""
    hint = "best_epoch = index of the lowest loss; stop = (epochs after best_epoch) >= patience"
    _check_stopping(nb, [1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9], 2, hint)
    _check_stopping(nb, [1.0, 0.9, 0.8, 0.7], 3, hint)
    _check_stopping(nb, [0.9, 0.5, 0.7, 0.4, 0.6], 5, hint)
    _check_stopping(nb, [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 3, hint)


@item(points=1)
def test_early_stopping_patience(nb):
    """stop becomes True exactly when `patience` epochs have passed since the best one (val_losses unchanged)"""
    rng = np.random.default_rng(510)
    hint = ("count the epochs after best_epoch, the lowest loss of the whole list: len(val_losses) − 1 − "
            "best_epoch; stop as soon as that count reaches patience (>=), not one epoch earlier or later; a "
            "lower loss later on is a new best epoch, even after patience had run out")
    cases = [([0.7], 1)]
    for patience in range(1, 7):
        for since in (patience - 1, patience, patience + 1):
            down = np.sort(rng.uniform(0.5, 2.0, size=rng.integers(1, 5)))[::-1]
            up = down[-1] + rng.uniform(0.01, 0.5, size=since)
            cases.append((np.concatenate([down, up]).tolist(), patience))
    # a new best after patience had run out: the lowest loss of the whole list counts
    cases += [([0.5, 0.6, 0.7, 0.4], 2), ([0.8, 0.6, 0.65, 0.7, 0.75, 0.5, 0.55], 3),
              ([0.5, 0.6, 0.7, 0.3, 0.4, 0.5], 2)]
    _check_stopping_all(nb, cases, hint, unchanged=True)


@item(points=1)
def test_early_stopping_ties(nb):
    """only a strictly lower loss is an improvement: ties keep the earlier best epoch"""
    hint = ("a loss equal to the best so far is not an improvement: keep the first epoch that reached it "
            "(use <, not <=; np.argmin returns the first minimum); any strictly lower loss, however small the "
            "difference, is an improvement")
    _check_stopping_all(nb, [([0.5, 0.4, 0.4, 0.4, 0.45], 2), ([1.0, 0.7, 0.7], 2), ([0.5, 0.3, 0.6, 0.3, 0.35], 2),
                             ([0.5, 0.4, 0.4 - 1e-9, 0.45, 0.5], 3)], hint)
