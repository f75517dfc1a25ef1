"""Assignment 05 — L2 / L1 weight regularization and early stopping. Each `test_<item>` is one graded item.

`params` and `grads` are lists of layers, each a dict {"W": (n_in, n_out), "b": (n_out,)}.
"""
import numpy as np

from autograder.expect import expect_close, expect_exact, expect_sequence, expect_structure, expect_unchanged
from autograder.items import visible

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
    expect_close(getattr(nb, func)(params, lam, n), ref(params, lam, n), func, case, hint)


def _check_grads(nb, grads, params, lam, n, kind, case, key, hint):
    """Compare one key ("W" or "b") of every layer of regularized_grads to the reference."""
    got = nb.regularized_grads(grads, params, lam, n, kind)
    expected = ref_regularized_grads(grads, params, lam, n, kind)
    expect_structure(got, grads, "regularized_grads", case, "the gradients",
                     "return a new list with one dict {\"W\": ..., \"b\": ...} per layer, like `grads`")
    for i, e in enumerate(expected):
        expect_close(got[i][key], e[key], "regularized_grads", "%s, layer %d, %s" % (case, i, key), hint)


def _random_grads(rng, params):
    return [{"W": rng.normal(size=p["W"].shape), "b": rng.normal(size=p["b"].shape)} for p in params]


def _check_stopping(nb, val_losses, patience, hint):
    case = "val_losses=%s, patience=%d" % (np.round(val_losses, 3).tolist(), patience)
    got = nb.early_stopping(list(val_losses), patience)
    expect_sequence(got, 2, "early_stopping", case, "a pair (best_epoch, stop)", "return best_epoch, stop")
    want_best, want_stop = ref_early_stopping(val_losses, patience)
    expect_exact(got[0], want_best, "early_stopping", case, "best_epoch", hint,
                 "best_epoch is the position of the best loss in the list")
    expect_exact(got[1], want_stop, "early_stopping", case, "stop", hint,
                 "return a bool, e.g. the result of a comparison")


@visible
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


@visible
def test_l2_grad_values(nb):
    """l2_grad(W, λ, n) = (λ/n) W, any shape, without modifying W"""
    rng = np.random.default_rng(502)
    for shape, lam, n in [((2, 3), 0.5, 10), ((6, 1), 3.0, 7), ((4,), 1.0, 1), ((5, 8), 0.01, 1000)]:
        W = rng.normal(size=shape)
        call = nb.inspect("l2_grad", W, lam, n)
        expect_close(call.value, ref_l2_grad(W, lam, n), "l2_grad", "W of shape %s, λ=%s, n=%d" % (shape, lam, n),
                     hint="the slides' ∂J/∂w = λw is inside the bracket (1/n)(...): with the 1/n it is (λ/n)·W")
        expect_unchanged(W, call.args[0], "l2_grad", "W")


@visible
def test_l1_penalty_values(nb):
    """l1_penalty = λ/n Σ|W| over the weights of every layer"""
    rng = np.random.default_rng(503)
    for sizes, lam, n in [([2, 2], 0.5, 10), ([4, 3, 2], 0.2, 30), ([6, 5, 1], 1.5, 8)]:
        _check_penalty(nb, "l1_penalty", ref_l1_penalty, random_params(rng, sizes), lam, n,
                       "layers of sizes %s, biases 0, λ=%s, n=%d" % (sizes, lam, n),
                       "λ/n times the sum (not the mean) of |w| over every weight of every layer")


@visible
def test_l1_grad_values(nb):
    """l1_grad(W, λ, n) = (λ/n) sign(W) for non-zero weights"""
    rng = np.random.default_rng(504)
    for shape, lam, n in [((3, 2), 0.5, 10), ((5, 1), 2.0, 4), ((7,), 1.0, 1)]:
        W = rng.normal(size=shape)
        W[np.abs(W) < 0.05] = 0.5                     # zeros are tested separately
        call = nb.inspect("l1_grad", W, lam, n)
        expect_close(call.value, ref_l1_grad(W, lam, n), "l1_grad", "W of shape %s, λ=%s, n=%d" % (shape, lam, n),
                     hint="(λ/n)·sign(W): +λ/n for positive weights, −λ/n for negative ones")
        expect_unchanged(W, call.args[0], "l1_grad", "W")


def test_l1_grad_at_zero(nb):
    """l1_grad is 0 where a weight is exactly 0 (the notebook's convention sign(0) = 0)"""
    W = np.array([[0.0, 1.5, -0.0], [-2.0, 0.0, 1e-12]])
    expect_close(nb.l1_grad(W, 0.8, 4), ref_l1_grad(W, 0.8, 4), "l1_grad", "W with exact zeros, λ=0.8, n=4",
                 hint="np.sign(0) is 0, which is what the notebook asks for (|w| has no slope at 0)")


def test_penalties_weights_only(nb):
    """l2_penalty and l1_penalty ignore the biases"""
    rng = np.random.default_rng(505)
    for trial in range(3):
        sizes, lam, n = random_sizes(rng), float(rng.uniform(0.1, 3)), int(rng.integers(1, 200))
        params = random_params(rng, sizes, bias_scale=5.0)
        no_bias = [{"W": p["W"], "b": np.zeros_like(p["b"])} for p in params]
        case = ("layers of sizes %s with large biases, λ=%.3g, n=%d (expected: its penalty with all "
                "biases set to 0)" % (sizes, lam, n))
        for func in ("l2_penalty", "l1_penalty"):
            expect_close(getattr(nb, func)(params, lam, n), getattr(nb, func)(no_bias, lam, n), func, case,
                         hint="only the weights W are regularized: the same network with all biases set "
                              "to 0 must get the same penalty")


@visible
def test_regularized_grads_l2(nb):
    """regularized_grads(..., kind="l2") adds (λ/n) W to each weight gradient"""
    rng = np.random.default_rng(506)
    for sizes, lam, n in [([3, 4, 2], 0.5, 10), ([2, 5, 5, 1], 1.0, 40), ([3, 2], 0.0, 5)]:
        params = random_params(rng, sizes, bias_scale=1.0)
        _check_grads(nb, _random_grads(rng, params), params, lam, n, "l2",
                     "layers of sizes %s, λ=%s, n=%d, kind=\"l2\"" % (sizes, lam, n), "W",
                     "the new weight gradient is dW + l2_grad(W, λ, n): the data part plus (λ/n)·W")


def test_regularized_grads_l1(nb):
    """regularized_grads(..., kind="l1") adds (λ/n) sign(W) to each weight gradient"""
    rng = np.random.default_rng(507)
    for trial in range(3):
        sizes, lam, n = random_sizes(rng), float(rng.uniform(0.1, 3)), int(rng.integers(1, 100))
        params = random_params(rng, sizes, bias_scale=1.0)
        _check_grads(nb, _random_grads(rng, params), params, lam, n, "l1",
                     "layers of sizes %s, λ=%.3g, n=%d, kind=\"l1\"" % (sizes, lam, n), "W",
                     "with kind=\"l1\" the new weight gradient is dW + l1_grad(W, λ, n)")


def test_regularized_grads_biases(nb):
    """regularized_grads leaves the bias gradients exactly as they were"""
    rng = np.random.default_rng(508)
    for kind in ("l2", "l1"):
        sizes = random_sizes(rng)
        params = random_params(rng, sizes, bias_scale=5.0)
        _check_grads(nb, _random_grads(rng, params), params, 2.0, 3, kind,
                     "layers of sizes %s with large biases, λ=2, n=3, kind=\"%s\"" % (sizes, kind), "b",
                     "biases are not regularized: each layer's \"b\" gradient is returned unchanged (a copy)")


def test_regularized_grads_no_mutation(nb):
    """regularized_grads returns new arrays and leaves grads and params unchanged"""
    rng = np.random.default_rng(509)
    for kind in ("l2", "l1"):
        params = random_params(rng, [4, 3, 2], bias_scale=1.0)
        grads = _random_grads(rng, params)
        call = nb.inspect("regularized_grads", grads, params, 0.5, 10, kind)
        for name, before, after in (("grads", grads, call.args[0]), ("params", params, call.args[1])):
            for i, layer in enumerate(before):
                layer_after = after[i] if isinstance(after, list) and i < len(after) else None
                for key in ("W", "b"):
                    got = layer_after.get(key) if isinstance(layer_after, dict) else None
                    expect_unchanged(layer[key], got, "regularized_grads", "%s[%d][\"%s\"] (kind=\"%s\")"
                                     % (name, i, key, kind),
                                     hint="build new dicts with new arrays (g[\"W\"] + ..., not g[\"W\"] += ... "
                                          "or g[\"W\"] = ... on the caller's dict)")


@visible
def test_early_stopping_basic(nb):
    """early_stopping returns (index of the lowest loss, whether patience has run out)"""
    hint = "best_epoch = index of the lowest loss; stop = (epochs after best_epoch) >= patience"
    _check_stopping(nb, [1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9], 2, hint)
    _check_stopping(nb, [1.0, 0.9, 0.8, 0.7], 3, hint)
    _check_stopping(nb, [0.9, 0.5, 0.7, 0.4, 0.6], 5, hint)
    _check_stopping(nb, [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 3, hint)


def test_early_stopping_patience(nb):
    """stop becomes True exactly when `patience` epochs have passed since the best one"""
    rng = np.random.default_rng(510)
    hint = ("count the epochs after best_epoch: len(val_losses) − 1 − best_epoch; stop as soon as that "
            "count reaches patience (>=), not one epoch earlier or later")
    _check_stopping(nb, [0.7], 1, hint)
    for patience in range(1, 7):
        for since in (patience - 1, patience, patience + 1):
            down = np.sort(rng.uniform(0.5, 2.0, size=rng.integers(1, 5)))[::-1]
            up = down[-1] + rng.uniform(0.01, 0.5, size=since)
            _check_stopping(nb, np.concatenate([down, up]).tolist(), patience, hint)


def test_early_stopping_ties(nb):
    """only a strictly lower loss is an improvement: ties keep the earlier best epoch"""
    hint = ("a loss equal to the best so far is not an improvement: keep the first epoch that reached it "
            "(use <, not <=; np.argmin returns the first minimum)")
    _check_stopping(nb, [0.5, 0.4, 0.4, 0.4, 0.45], 2, hint)
    _check_stopping(nb, [1.0, 0.7, 0.7], 2, hint)
    _check_stopping(nb, [0.5, 0.3, 0.6, 0.3, 0.35], 2, hint)
