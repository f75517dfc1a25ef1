"""Assignment 03 — backpropagation and gradient checking. Each `test_<item>` is one graded item.

Conventions (the notebook's): `params` is a list with one dict {"W": (n_in, n_out), "b": (n_out,)}
per layer, layer 1 first; `forward(params, X, hidden, output)` returns (A_L, cache), where the cache
is anything the student's `backward(params, cache, Y, loss)` needs (it is passed back untouched,
as data or as an opaque handle); gradients are of the MEAN loss over the batch, in the structure of
params. Y is (n, n_out): 0/1 labels for a sigmoid output, one-hot rows for a softmax output.

The contract's clauses and the items that exercise each are in CONTRACT below (`python -m autograder
contract 03_backprop` prints the table); known misconceptions, named in failure messages, in MISCONCEPTIONS.

One bug, one loss. The cache's form is the student's, so backward items cannot be fed the reference's
forward: they run on the student's forward, are marked `@after` the forward items (grading_config's
DEPENDENT_ITEMS decides whether they are charged when forward fails), and check forward's output on
each of their own cases first, so a wrong forward is named as the cause there, not backward. Items that
loop over cases report every failing case together (expect_all_close); the hidden backward items report
each network's first wrong gradient from the output layer down.

Focus. Backward items check one part each: the per-combination items use ONE sample (the per-sample
δ formulas), the sigmoid/ReLU items every layer's dW, the output items only the output layer's dW,
`backward_bias` only the output layer's db. `backward_batch_mean` compares the student's batch
gradients with the mean of the student's own per-sample gradients, so only the averaging is tested
there. `backward_deep` is the end-to-end check: random deeper networks and batches, every W and b,
against the numpy reference and against finite differences of the mean loss.

Finite differences. `fd_gradients` uses the 5-point stencil with h = 1e-3 (error O(h⁴)); ReLU
networks are drawn with every hidden |z| > RELU_MARGIN so no perturbation crosses the kink (and the
value of relu' at exactly 0, a convention — any value in [0, 1] is a valid subgradient — never matters). Dead
ReLU units have gradients exactly 0 where differences give rounding noise (~1e-13), so the agreement
measure floors the denominator at FD_FLOOR = 1e-6 instead of the notebook's 1e-8; the worst error of
the reference over these networks is ~1e-7 (checked in test_tensorflow.py beside this file).
"""
import itertools

import numpy as np

import grading_config
from autograder.expect import (as_numeric, describe, diagnose, expect_all_close, expect_array, expect_close,
                               expect_no_warnings, expect_scalar, expect_sequence, expect_structure, expect_unchanged,
                               fail, known, likely_cause)
from autograder.items import item
from autograder.worker.program import Formula
from autograder.suites.references import ref_sigmoid, ref_softmax

HIDDEN = ("sigmoid", "relu")
OUTPUTS = ("sigmoid", "softmax")
LOSSES = ("quadratic", "cross_entropy")
EPS = 1e-12
RELU_MARGIN = 0.02
FD_STEP = 1e-3
FD_FLOOR = 1e-6
FD_LIMIT = 1e-6
FORWARD_ITEMS = ("forward_values", "forward_random")

# The assignment: its title, its due date (UTC) and, for 07, its grading settings. Each item declares its
# points with @item below. grading_config.ASSIGNMENTS["03_backprop"] overrides any of these for a course.
ASSIGNMENT = {
    "title": "Backpropagation and gradient checking",
    "due": "2026-12-18 23:59:00 UTC",
}

# The notebook's written contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("init_params returns a list with one dict {'W': (n_in, n_out), 'b': (n_out,)} per pair of consecutive "
     "layer sizes, float64, any number of hidden layers (even none)", ["init_params_shapes"]),
    ("init_params: b is zeros; W ~ normal(0, 1/sqrt(n_in))", ["init_params_shapes", "init_params_random"]),
    ("init_params draws only from the rng argument: the same seed gives the same params", ["init_params_random"]),
    ("forward(params, X, hidden, output) returns the pair (A_L, cache), A_L of shape (n, n_out)",
     ["forward_values", "forward_random"]),
    ("forward: Z_l = A_(l-1) W_l + b_l; the hidden activation (sigmoid or relu) on layers 1..L-1, the output "
     "activation (sigmoid, or softmax row by row) on layer L; 0, 1 or more hidden layers",
     ["forward_values", "forward_random"]),
    ("forward's defaults are hidden='sigmoid', output='sigmoid'; backward's default is loss='quadratic'",
     ["forward_random", "backward_sigmoid_quadratic"]),
    ("forward uses the given stable activations: no warnings for large inputs", ["forward_random"]),
    ("forward does not modify X or params", ["forward_random", "backward_deep"]),
    ("the cache is any structure (data or an opaque object) and is handed back to backward untouched; backward "
     "gets no hidden/output arguments", ["backward_sigmoid_quadratic", "backward_relu_hidden",
                                         "backward_batch_mean", "backward_deep"]),
    ("backward returns the gradients as a list of dicts like params: grads[l-1]['W'] has W_l's shape, "
     "grads[l-1]['b'] has b_l's shape (n_out,)", ["backward_sigmoid_quadratic", "backward_bias", "backward_deep"]),
    ("δ_L for sigmoid output + quadratic loss: (a − y) ⊙ σ'(z_L)", ["backward_sigmoid_quadratic", "backward_deep"]),
    ("δ_L for sigmoid output + binary cross-entropy: a − y (no σ')",
     ["backward_sigmoid_cross_entropy", "backward_bias", "backward_deep"]),
    ("δ_L for softmax output + quadratic loss: the softmax Jacobian, a ⊙ (g − Σ_j g_j a_j)",
     ["backward_softmax_quadratic", "backward_bias", "backward_deep"]),
    ("δ_L for softmax output + categorical cross-entropy (one-hot Y): a − y",
     ["backward_softmax_cross_entropy", "backward_bias", "backward_deep"]),
    ("dJ/dW_l = A_(l-1)ᵀ δ_l, dJ/db_l = δ_l (one sample)",
     ["backward_sigmoid_quadratic", "backward_relu_hidden", "backward_sigmoid_cross_entropy",
      "backward_softmax_cross_entropy", "backward_softmax_quadratic", "backward_bias"]),
    ("the recursion δ_(l-1) = (δ_l W_lᵀ) ⊙ f'(Z_(l-1)) through every hidden layer, sigmoid and relu",
     ["backward_sigmoid_quadratic", "backward_relu_hidden", "backward_deep"]),
    ("a batch: the gradients of the MEAN loss, the average of the per-sample gradients (1/n once)",
     ["backward_batch_mean", "backward_deep"]),
    ("backward's gradients agree with finite differences of the mean loss", ["backward_deep"]),
    ("backward does not modify params or Y", ["backward_deep"]),
    ("numerical_gradient(f, x, h=1e-5): central differences per entry, an array of x's shape, any shape of x, "
     "the h given (default 1e-5), f called on the whole perturbed array", ["numerical_gradient_values"]),
    ("numerical_gradient leaves x exactly as it was", ["numerical_gradient_restores"]),
    ("relative_error(a, b) = max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|), one float; 0 where both are 0",
     ["relative_error_values"]),
]

# Known misconceptions, function by function: (what the student did, the wrong answer it gives on the item's
# inputs). Each takes the student function's arguments, except `backward`'s, which take (params, X, Y, hidden,
# output, loss, l, key) — the cache is the student's own, so the inputs it caches are passed instead — and
# return layer l's (0-based) gradient of `key`; `forward`'s return A_L. The value of relu' at exactly 0 is not
# catalogued: the ReLU cases keep every |z| > RELU_MARGIN, since 0 and 1 are both valid subgradients there.
SUM = "the gradients are summed over the batch, not averaged: n times the gradient of the mean loss"
BIAS_SUM = "db is summed over the batch without the 1/n: n times the mean"
TRANSPOSED = ("dW = δᵀ @ A_prev: the transpose of A_prevᵀ @ δ (reshaping it to W's shape, or a square W, does not "
              "undo the transpose)")
IGNORES = "forward ignores its `hidden` and/or `output` argument: it uses sigmoid where they ask for relu or softmax"
MISCONCEPTIONS = {
    "forward": [
        (IGNORES, lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "ignore_hidden")),
        (IGNORES, lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "ignore_output")),
        (IGNORES, lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "ignore_both")),
        ("the hidden activation is applied on the output layer too (layer L needs the output activation)",
         lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "hidden_everywhere")),
        ("the output activation is applied on the hidden layers too (layers 1..L-1 need the hidden activation)",
         lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "output_everywhere")),
        ("the output layer returns Z_L: no output activation",
         lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "no_output_activation")),
        ("the bias b is left out of Z = A_prev @ W + b",
         lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "no_bias")),
        ("softmax normalizes over the batch (axis 0) instead of each row (axis 1)",
         lambda params, X, hidden, output: _forward_bug(params, X, hidden, output, "softmax_axis0")),
    ],
    "backward": [
        (BIAS_SUM, lambda *a: _backward_bug(*a, bug="bias_sum")),
        (SUM, lambda *a: _backward_bug(*a, bug="sum")),
        (TRANSPOSED, lambda *a: _backward_bug(*a, bug="transposed")),
        (TRANSPOSED, lambda *a: _backward_bug(*a, bug="transposed_reshaped")),
        ("the hidden δ uses sigmoid(Z), the activation, instead of its derivative sigmoid_prime(Z)",
         lambda *a: _backward_bug(*a, bug="activation_not_prime", only_hidden="sigmoid")),
        ("the hidden δ uses relu(Z), the activation, instead of its derivative relu_prime(Z)",
         lambda *a: _backward_bug(*a, bug="activation_not_prime", only_hidden="relu")),
        ("the derivative is taken of the activations A instead of the pre-activations Z (σ'(A) = σ'(σ(Z)))",
         lambda *a: _backward_bug(*a, bug="prime_of_a")),
        ("the output δ for the quadratic loss lacks the σ'(z_L) factor (only cross-entropy cancels it)",
         lambda *a: _backward_bug(*a, bug="no_output_prime")),
        ("the output δ for cross-entropy keeps the σ' factor (or the softmax Jacobian): with cross-entropy it "
         "cancels, δ_L = a − y", lambda *a: _backward_bug(*a, bug="ce_with_prime")),
        ("softmax treated as element-wise: δ_L = (a − y) ⊙ a(1 − a) instead of the softmax Jacobian",
         lambda *a: _backward_bug(*a, bug="softmax_elementwise")),
        ("dW uses the layer's own activations A_l instead of the previous layer's A_(l-1)",
         lambda *a: _backward_bug(*a, bug="a_of_same_layer")),
        ("δ goes down through W_l instead of its transpose W_lᵀ", lambda *a: _backward_bug(*a, bug="w_not_transposed")),
        ("f' is evaluated at the layer's own Z_l instead of the lower layer's Z_(l-1)",
         lambda *a: _backward_bug(*a, bug="z_of_same_layer")),
        ("db keeps one row per sample: δ is not averaged over the batch (axis 0)",
         lambda *a: _backward_bug(*a, bug="db_per_sample")),
        ("db has shape (1, n_out): averaged with keepdims=True, but b has shape (n_out,)",
         lambda *a: _backward_bug(*a, bug="db_keepdims")),
        ("db is averaged over the units (axis 1) instead of the samples (axis 0)",
         lambda *a: _backward_bug(*a, bug="db_over_units")),
    ],
    "numerical_gradient": [
        ("one-sided (forward) differences (f(x + h e_i) − f(x)) / h, error O(h), instead of central ones",
         lambda f, x, h=1e-5: _differences(f, x, h, (1, 0), 1)),
        ("one-sided (backward) differences (f(x) − f(x − h e_i)) / h, instead of central ones",
         lambda f, x, h=1e-5: _differences(f, x, h, (0, -1), 1)),
        ("the central difference is divided by h instead of 2h: twice the derivative",
         lambda f, x, h=1e-5: _differences(f, x, h, (1, -1), 1)),
        ("the h argument is ignored (a fixed step of 1e-5 is used)",
         lambda f, x, h=1e-5: _differences(f, x, 1e-5, (1, -1), 2)),
        ("x is not restored: each entry stays at x[i] − h, so later differences are taken at a shifted point",
         lambda f, x, h=1e-5: _differences(f, x, h, (1, -1), 2, restore=False)),
    ],
    "relative_error": [
        ("the difference is divided by the largest |a| + |b| of the whole array instead of entry by entry",
         lambda a, b: np.max(np.abs(_f(a) - _f(b))) / max(1e-8, np.max(np.abs(_f(a)) + np.abs(_f(b))))),
        ("the entries' ratios are summed instead of taking the largest",
         lambda a, b: np.sum(_ratios(a, b))),
        ("the entries' ratios are averaged instead of taking the largest",
         lambda a, b: np.mean(_ratios(a, b))),
        ("1e-8 is added to the denominator instead of flooring it with np.maximum(1e-8, ...)",
         lambda a, b: np.max(np.abs(_f(a) - _f(b)) / (np.abs(_f(a)) + np.abs(_f(b)) + 1e-8))),
        ("the denominator has no 1e-8 floor: 0/0 entries are skipped (nanmax) instead of counting as 0",
         lambda a, b: np.nanmax(np.abs(_f(a) - _f(b)) / (np.abs(_f(a)) + np.abs(_f(b))))),
        ("the denominator is max(|a|, |b|) instead of |a| + |b|",
         lambda a, b: np.max(np.abs(_f(a) - _f(b)) / np.maximum(1e-8, np.maximum(np.abs(_f(a)), np.abs(_f(b)))))),
        ("the difference is relative to |a| only, not |a| + |b|",
         lambda a, b: np.max(np.abs(_f(a) - _f(b)) / np.maximum(1e-8, np.abs(_f(a))))),
        ("the absolute value of a − b is missing", lambda a, b: np.max((_f(a) - _f(b)) /
                                                                      np.maximum(1e-8, np.abs(_f(a)) + np.abs(_f(b))))),
    ],
}


# ---------------------------------------------------------------- numpy reference


ACTIVATIONS = {"sigmoid": ref_sigmoid, "relu": lambda z: np.maximum(0.0, z), "softmax": ref_softmax}


def ref_prime(name, z):
    """Derivative of an element-wise activation (sigmoid or relu)."""
    if name == "sigmoid":
        s = ref_sigmoid(z)
        return s * (1 - s)
    return (z > 0).astype(float)


def ref_forward(params, X, hidden, output):
    """Output, and the lists A (A[0] = X) and Z of every layer."""
    A, Z = [np.asarray(X, dtype=float)], []
    for l, p in enumerate(params):
        Z.append(A[-1] @ p["W"] + p["b"])
        A.append(ACTIVATIONS[output if l == len(params) - 1 else hidden](Z[-1]))
    return A[-1], A, Z


def ref_mean_loss(Y, A, output, loss):
    """Per-sample loss (summed over the outputs), averaged over the batch."""
    A = np.clip(A, EPS, 1 - EPS)
    if loss == "quadratic":
        per_sample = 0.5 * np.sum((Y - A) ** 2, axis=1)
    elif output == "sigmoid":
        per_sample = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A), axis=1)
    else:
        per_sample = -np.sum(Y * np.log(A), axis=1)
    return np.mean(per_sample)


def ref_output_delta(Y, A, Z, output, loss):
    """δ_L, one row per sample (Y one-hot for a softmax output)."""
    if loss == "cross_entropy":
        return A - Y
    g = A - Y
    if output == "sigmoid":
        return g * ref_prime("sigmoid", Z)
    return A * (g - np.sum(g * A, axis=1, keepdims=True))


def ref_backward(params, X, Y, hidden, output, loss):
    """Gradients of the mean loss, in the structure of params."""
    _, A, Z = ref_forward(params, X, hidden, output)
    delta = ref_output_delta(Y, A[-1], Z[-1], output, loss)
    grads = [None] * len(params)
    for l in reversed(range(len(params))):
        grads[l] = {"W": A[l].T @ delta / len(X), "b": delta.mean(axis=0)}
        if l:
            delta = (delta @ params[l]["W"].T) * ref_prime(hidden, Z[l - 1])
    return grads


# ---------------------------------------------------------------- the misconceptions' wrong answers


def _forward_bug(params, X, hidden, output, bug):
    """A_L of a forward with one known bug (see MISCONCEPTIONS["forward"])."""
    A = np.asarray(X, dtype=float)
    last = len(params) - 1
    for l, p in enumerate(params):
        name = output if l == last else hidden
        if (bug == "ignore_hidden" and l < last) or (bug == "ignore_output" and l == last) or bug == "ignore_both":
            name = "sigmoid"
        elif bug == "hidden_everywhere":
            name = hidden
        elif bug == "output_everywhere":
            name = output
        Z = A @ p["W"] + (0 if bug == "no_bias" else p["b"])
        if l == last and bug == "no_output_activation":
            A = Z
        elif name == "softmax" and bug == "softmax_axis0":
            e = np.exp(Z - Z.max(axis=0, keepdims=True))
            A = e / e.sum(axis=0, keepdims=True)
        else:
            A = ACTIVATIONS[name](Z)
    return A


def _backward_bug(params, X, Y, hidden, output, loss, l, key, bug, only_hidden=None):
    """Layer l's (0-based) gradient of `key` from a backward with one known bug (MISCONCEPTIONS["backward"]);
    raises where the bug does not apply (known() then leaves it out)."""
    if only_hidden and (hidden != only_hidden or len(params) < 2):
        raise ValueError("not this hidden activation")
    _, A, Z = ref_forward(params, X, hidden, output)
    n, a = len(X), A[-1]
    prime_at = (lambda i: A[i + 1]) if bug == "prime_of_a" else (lambda i: Z[i])     # Z[i] is layer i+1's
    if loss == "cross_entropy":
        delta = a - Y
        if bug == "ce_with_prime":
            delta = (delta * ref_prime("sigmoid", Z[-1]) if output == "sigmoid"
                     else a * (delta - np.sum(delta * a, axis=1, keepdims=True)))
    elif output == "sigmoid":
        delta = (a - Y) * (1 if bug == "no_output_prime" else ref_prime("sigmoid", prime_at(len(params) - 1)))
    else:
        g = a - Y
        delta = g * a * (1 - a) if bug == "softmax_elementwise" else a * (g - np.sum(g * a, axis=1, keepdims=True))
    if bug == "db_per_sample" and n == 1:
        raise ValueError("the same as db_keepdims for one sample")
    for i in reversed(range(len(params))):
        if i == l:
            if key == "b":
                return {"sum": delta.sum(axis=0), "bias_sum": delta.sum(axis=0), "db_keepdims":
                        delta.mean(axis=0, keepdims=True), "db_per_sample": delta,
                        "db_over_units": delta.mean(axis=1)}.get(bug, delta.mean(axis=0))
            A_in = A[i + 1] if bug == "a_of_same_layer" else A[i]
            if bug in ("transposed", "transposed_reshaped"):
                dW = delta.T @ A_in / n
                return dW.reshape(params[i]["W"].shape) if bug == "transposed_reshaped" else dW
            return A_in.T @ delta / (1 if bug == "sum" else n)
        W = params[i]["W"]
        back = delta @ (W if bug == "w_not_transposed" else W.T)
        at = Z[i] if bug == "z_of_same_layer" else prime_at(i - 1)
        delta = back * (ACTIVATIONS[hidden](at) if bug == "activation_not_prime" else ref_prime(hidden, at))


def _differences(f, x, h, steps, divisor, restore=True):
    """Finite differences (f(x + steps[0]·h e_i) − f(x + steps[1]·h e_i)) / (divisor·h) on a copy of x; without
    `restore`, each entry is left at x[i] − h (or + h for a one-sided forward step)."""
    x = np.array(x, dtype=float)
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        values = []
        for step in steps:
            x[i] = old + step * h
            values.append(float(f(x)))
        if restore:
            x[i] = old
        grad[i] = (values[0] - values[1]) / (divisor * h)
    return grad


def _f(v):
    return np.asarray(v, dtype=float)


def _ratios(a, b):
    a, b = _f(a), _f(b)
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


def _known(func, expected, *args):
    """known(MISCONCEPTIONS, func, *args) without the wrong answers that equal the right one on these inputs
    (a bug that makes no difference here must not be named)."""
    expected = np.asarray(expected, dtype=float)
    return [[wrong, cause] for wrong, cause in known(MISCONCEPTIONS, func, *args)
            if not (wrong.shape == expected.shape and np.allclose(wrong, expected, rtol=1e-6, atol=1e-9))]


def ref_relative_error(a, b, floor=1e-8):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(floor, np.abs(a) + np.abs(b))))


def fd_gradients(params, X, Y, hidden, output, loss, h=FD_STEP):
    """Gradients of the mean loss by 5-point central differences (params are copied, not modified)."""
    params = [{k: np.array(v, dtype=float) for k, v in p.items()} for p in params]

    def mean_loss():
        return ref_mean_loss(Y, ref_forward(params, X, hidden, output)[0], output, loss)

    grads = []
    for p in params:
        g = {}
        for key, x in p.items():
            g[key] = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                values = []
                for step in (2, 1, -1, -2):
                    x[i] = old + step * h
                    values.append(mean_loss())
                x[i] = old
                g[key][i] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
        grads.append(g)
    return grads


def make_problem(seed, sizes, n, hidden, output):
    """Random params (biases non-zero), X and Y; ReLU nets keep every hidden |z| > RELU_MARGIN."""
    rng = np.random.default_rng(seed)
    k = sizes[-1]
    while True:
        params = [{"W": rng.normal(0, 1 / np.sqrt(a), size=(a, b)), "b": rng.normal(0, 0.5, size=b)}
                  for a, b in zip(sizes[:-1], sizes[1:])]
        X = rng.normal(size=(n, sizes[0]))
        if output == "softmax":
            Y = np.eye(k)[rng.integers(0, k, size=n)]
        else:
            Y = rng.integers(0, 2, size=(n, k)).astype(float)
        Z = ref_forward(params, X, hidden, output)[2][:-1]
        if hidden != "relu" or all(np.abs(z).min() > RELU_MARGIN for z in Z):
            return params, X, Y


def random_sizes(rng, min_hidden, max_hidden):
    return [int(s) for s in rng.integers(2, 6, size=rng.integers(min_hidden, max_hidden + 1) + 2)]


def batch_cases():
    """(hidden, output, loss, sizes, n, seed) of backward_batch_mean: every combination, 0–2 hidden layers."""
    rng = np.random.default_rng(111)
    for (hidden, output, loss), depth in zip(itertools.product(HIDDEN, OUTPUTS, LOSSES), itertools.cycle([0, 1, 2])):
        yield hidden, output, loss, random_sizes(rng, depth, depth), int(rng.integers(3, 6)), int(rng.integers(1 << 30))


def deep_cases():
    """(hidden, output, loss, sizes, n, seed) of backward_deep: every combination, 1–3 hidden layers, batches."""
    rng = np.random.default_rng(121)
    for hidden, output, loss in itertools.product(HIDDEN, OUTPUTS, LOSSES):
        yield hidden, output, loss, random_sizes(rng, 1, 3), int(rng.integers(2, 9)), int(rng.integers(1 << 30))


# ---------------------------------------------------------------- calling the student's code


def _case(sizes, n, hidden, output, loss=None):
    text = "%s, layer sizes %s, hidden=%r, output=%r" % (
        "one sample" if n == 1 else "a batch of %d samples" % n, list(sizes), hidden, output)
    return text + (", loss=%r" % loss if loss else "")


def _forward_call(nb, params, X, hidden, output, case):
    """inspect forward; the value must be a pair (A_L, cache)."""
    call = nb.inspect("forward", params, X, hidden, output)
    expect_sequence(call.value, 2, "forward", case, "a pair (output, cache)", "end with `return A, cache`")
    return call


def _student_cache(nb, params, X, hidden, output, case):
    """forward's call for a backward case, its output checked first: backward runs on the student's own cache
    (the contract leaves its form to the student), so a wrong forward is named as the cause, not backward."""
    call = _forward_call(nb, params, X, hidden, output, case)
    expected = ref_forward(params, X, hidden, output)[0]
    expect_close(call.value[0], expected, "forward", case + " (the forward pass that backward's cache comes from)",
                 "backward works on your forward's cache, so it can only be checked once forward is right: fix "
                 "forward first (its own items say more)", known=_known("forward", expected, params, X, hidden, output))
    return call


def _grad_arrays(got, n_layers, case, hint):
    """The student's gradients as [{"W": array, "b": array}, ...], or fail on the structure."""
    if not isinstance(got, (list, tuple)) or len(got) != n_layers:
        what = "%s of %d items" % (describe(got), len(got)) if isinstance(got, (list, tuple)) else describe(got)
        fail("backward", case, "expected a list of %d dicts {'W': ..., 'b': ...} (one per layer, like params), "
             "got %s" % (n_layers, what), hint)
    for l, g in enumerate(got):
        if not isinstance(g, dict) or not {"W", "b"} <= set(g):
            fail("backward", case, "layer %d: expected a dict with keys 'W' and 'b', got %s" % (l + 1, describe(g)),
                 hint)
    return [{key: as_numeric(g[key], "backward", case, hint) for key in ("W", "b")} for g in got]


def _fails(got, expected):
    """Whether expect_close would reject `got` (suite-side, in hidden items only)."""
    got = np.asarray(got)
    return got.shape != np.shape(expected) or not np.allclose(got, expected, **grading_config.TOLERANCE)


def _first_failing(got, expected):
    """(l, key) of the first gradient that is wrong, from the output layer down (W before b), or None."""
    for l in reversed(range(len(expected))):
        for key in ("W", "b"):
            if _fails(got[l][key], expected[l][key]):
                return l, key
    return None


def _matches(got, wrong):
    """Whether `got` is `wrong` (as `diagnose` matches a known wrong answer)."""
    return diagnose(got, [[wrong, True]], **grading_config.TOLERANCE) is not None


def _network_causes(got, expected, wrongs):
    """{misconception: its wrong gradients {(l, key): array}} for every misconception whose wrong gradients are
    the network's gradients, all of them (when some are wrong); `wrongs`: pairs (misconception, function of
    (l, key) giving its wrong gradient)."""
    if not any(_fails(got[l][key], expected[l][key]) for l in range(len(expected)) for key in ("W", "b")):
        return {}
    found = {}
    for cause, wrong in wrongs:
        try:
            answers = {(l, key): wrong(l, key) for l in range(len(expected)) for key in ("W", "b")}
        except Exception:          # the misconception does not apply to this network
            continue
        if cause not in found and all(_matches(got[l][key], answers[l, key]) for l, key in answers):
            found[cause] = answers
    return found


def _diagnosed(cases, causes):
    """expect_all_close's cases, each [case, got, expected, (l, key)], with `known` from `causes` (one dict of
    _network_causes per case): the first misconception that explains every failing network, else each one's."""
    failing = [found for found in causes if found]
    shared = [cause for cause in (failing[0] if failing else {}) if all(cause in found for found in failing)]
    out = []
    for (case, got, expected, where), found in zip(cases, causes):
        cause = shared[0] if shared else next(iter(found), None)
        out.append([case, got, expected, [[found[cause][where], cause]] if cause in found else []])
    return out


def _expect_params_unchanged(before, after, func):
    """params as they were before the call (whether an array was changed in place or replaced in the dicts)."""
    hint = "compute new arrays (Z = A @ W + b, never W += ...) and never assign into the caller's list or dicts"
    if not isinstance(after, (list, tuple)) or len(after) != len(before):
        fail(func, "its input", "params is not what it was after the call: it now holds %s" % describe(after), hint)
    for l, (p, q) in enumerate(zip(before, after)):
        for key in ("W", "b"):
            now = q.get(key) if isinstance(q, dict) else None
            if not (isinstance(now, np.ndarray) and np.array_equal(p[key], now, equal_nan=True)):
                fail(func, "its input", "after the call, params[%d][%r] (layer %d's %s) is not what it was: it "
                     "must stay unchanged" % (l, key, l + 1, key), hint)


def _rng(nb, seed):
    """A Generator made in the student's process by the setup cell's `default_rng`, as a handle.

    A Generator is not data: it cannot be sent to the student's process, so it is made there."""
    return nb.default_rng(seed)


# ---------------------------------------------------------------- init_params

INIT_HINT = ("return a list with one dict {'W': (n_in, n_out), 'b': (n_out,)} per pair of consecutive layer "
             "sizes; W drawn from rng with the spread section 1 asks for, b zeros")


def _init(nb, sizes, seed):
    got = nb.init_params(sizes, _rng(nb, seed))
    case = "layer_sizes=%s" % (sizes,)
    if not isinstance(got, (list, tuple)) or len(got) != len(sizes) - 1:
        fail("init_params", case, "expected a list of %d dicts, got %s" % (len(sizes) - 1, describe(got)),
             INIT_HINT)
    for l, p in enumerate(got):
        if not isinstance(p, dict) or not {"W", "b"} <= set(p):
            fail("init_params", case, "layer %d: expected a dict with keys 'W' and 'b', got %s"
                 % (l + 1, describe(p)), INIT_HINT)
    return got, case


@item(points=1, visible=True)
def test_init_params_shapes(nb):
    """init_params: one dict {"W": (n_in, n_out), "b": (n_out,)} per layer, float64, b zeros"""
    for sizes, seed in [([3, 5, 4, 2], 1), ([7, 1], 2), ([2, 3, 3, 3, 6], 3)]:
        got = nb.init_params(sizes, _rng(nb, seed))
        case = "layer_sizes=%s" % (sizes,)
        like = [{"W": np.zeros((n_in, n_out)), "b": np.zeros(n_out)} for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        expect_structure(got, like, "init_params", case, "the params", INIT_HINT)
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            expect_array(got[l]["W"], (n_in, n_out), "float64", "init_params", case, "layer %d's W" % (l + 1),
                         INIT_HINT)
            expect_close(got[l]["b"], np.zeros(n_out), "init_params", "%s, layer %d's b" % (case, l + 1), INIT_HINT,
                         float_dtype=True)


def _std_cause(ratio, n_in, n_out):
    """The misconception behind W's standard deviation being `ratio` times 1/sqrt(n_in), if a known one."""
    for factor, cause in [(np.sqrt(n_in), "W is not scaled: standard deviation 1 instead of 1/sqrt(n_in)"),
                          (1 / np.sqrt(n_in), "W is scaled by 1/n_in: 1/n_in is the variance, its square root is "
                                              "the standard deviation"),
                          (np.sqrt(2), "W uses He's sqrt(2/n_in), not the notebook's 1/sqrt(n_in)"),
                          (np.sqrt(n_in / n_out), "W is scaled with the layer's outputs, 1/sqrt(n_out), instead of "
                                                  "its inputs, 1/sqrt(n_in)")]:
        if abs(ratio / factor - 1) < 0.08:
            return cause
    return None


@item(points=1)
def test_init_params_random(nb):
    """init_params draws W from rng only (same seed → same params, other seed → other W), std 1/√n_in"""
    hint = ("draw W from the rng argument, scaled as section 1 says; never np.random.* or a generator you create "
            "yourself")
    sizes = [400, 300, 10]
    first, case = _init(nb, sizes, 31)
    again, _ = _init(nb, sizes, 31)
    other, _ = _init(nb, sizes, 32)
    for l in range(2):
        W = as_numeric(first[l]["W"], "init_params", case, hint)
        if _fails(as_numeric(again[l]["W"], "init_params", case, hint), W):
            fail("init_params", "%s, called twice with default_rng(31)" % case, "the two calls gave different "
                 "layer %d W" % (l + 1) + likely_cause("W is drawn from np.random.* or a generator of your own, not "
                                                      "from the rng argument"), hint)
        if np.array_equal(as_numeric(other[l]["W"], "init_params", case, hint), W):
            fail("init_params", case, "default_rng(31) and default_rng(32) gave the same layer %d W" % (l + 1)
                 + likely_cause("W does not come from the rng argument (a generator with a fixed seed of your own?)"),
                 hint)
        std, n = 1 / np.sqrt(sizes[l]), W.size
        if abs(W.std() / std - 1) > 0.08 or abs(W.mean()) > 6 * std / np.sqrt(n):
            cause = _std_cause(W.std() / std, sizes[l], sizes[l + 1]) if abs(W.mean()) <= 6 * W.std() / np.sqrt(n) \
                else None
            fail("init_params", case, "layer %d's W has mean %.3g and standard deviation %.4g; expected mean 0 "
                 "and standard deviation 1/sqrt(%d) = %.4g" % (l + 1, W.mean(), W.std(), sizes[l], std)
                 + likely_cause(cause), hint)


# ---------------------------------------------------------------- forward

FORWARD_HINT = ("Z = A_prev @ W + b for every layer; the hidden activation on layers 1..L-1, the output "
                "activation (sigmoid, or softmax row by row) on layer L; return (A_L, cache)")


def _forward_case(call, params, X, hidden, output, case):
    """[case, got, expected, known] of forward's output, for expect_all_close."""
    expected = ref_forward(params, X, hidden, output)[0]
    return [case, call.value[0], expected, _known("forward", expected, params, X, hidden, output)]


@item(points=2, visible=True)
def test_forward_values(nb):
    """forward returns the network's output for every hidden/output pair, with 0, 1 and 2 hidden layers"""
    cases = []
    for sizes, seed in [([3, 4, 2], 41), ([3, 2], 42), ([3, 4, 4, 3], 43)]:
        for hidden, output in itertools.product(HIDDEN, OUTPUTS):
            params, X, _ = make_problem(seed, sizes, 4, hidden, output)
            case = _case(sizes, 4, hidden, output)
            cases.append(_forward_case(_forward_call(nb, params, X, hidden, output, case), params, X, hidden, output,
                                       case))
    expect_all_close(cases, "forward", FORWARD_HINT)


@item(points=2)
def test_forward_random(nb):
    """forward on random nets, large inputs and its default activations: right values, no warnings, inputs unchanged"""
    rng = np.random.default_rng(44)
    calls, cases = [], []
    for hidden, output in itertools.product(HIDDEN, OUTPUTS):
        for scale in (1.0, 300.0):
            sizes, n = random_sizes(rng, 0, 3), int(rng.integers(1, 9))
            params, X, _ = make_problem(int(rng.integers(1 << 30)), sizes, n, hidden, output)
            X = X * scale
            case = _case(sizes, n, hidden, output) + ("" if scale == 1 else ", inputs of size ~%g" % scale)
            call = _forward_call(nb, params, X, hidden, output, case)
            calls.append((call, params, X, case))
            cases.append(_forward_case(call, params, X, hidden, output, case))
    params, X, _ = make_problem(45, [3, 4, 2], 3, "sigmoid", "sigmoid")
    case = "forward(params, X) without hidden and output (the defaults: sigmoid and sigmoid), layer sizes [3, 4, 2]"
    call = nb.inspect("forward", params, X)
    expect_sequence(call.value, 2, "forward", case, "a pair (output, cache)", "end with `return A, cache`")
    cases.append(_forward_case(call, params, X, "sigmoid", "sigmoid", case))
    expect_all_close(cases, "forward", FORWARD_HINT + "; keep the defaults hidden='sigmoid', output='sigmoid'")
    for call, params, X, case in calls:
        expect_no_warnings(call, "forward", case, "use the given stable sigmoid and softmax")
        expect_unchanged(X, call.args[1], "forward", "X")
        _expect_params_unchanged(params, call.args[0], "forward")


# ---------------------------------------------------------------- backward, one part at a time

SHAPE_HINT = ("dW must have W's shape (n_in, n_out): check which factor of the product of the previous layer's "
              "activations and δ is transposed (a reshape is not a transpose)")
SIGMOID_HINT = ("with the quadratic loss the output δ keeps σ'(z_L); each step down multiplies the error passed "
                "back through the weights by the derivative of the hidden activation at the lower layer's Z — "
                "sigmoid_prime(Z), not sigmoid(Z) (sections 3.1–3.2). " + SHAPE_HINT)


def _backward_cases(nb, cases, hidden, output, loss, layers, keys, default_loss=False):
    """[case, got, expected, known] for expect_all_close: one sample per (sizes, seed), the chosen layers ("all" or
    "last") and keys; with `default_loss`, backward is called without its loss argument."""
    out = []
    for sizes, seed in cases:
        params, X, Y = make_problem(seed, sizes, 1, hidden, output)
        case = _case(sizes, 1, hidden, output, loss)
        if default_loss:
            case += " (backward called without loss: its default, 'quadratic')"
        cache = _student_cache(nb, params, X, hidden, output, case).value[1]
        got = nb.backward(params, cache, Y) if default_loss else nb.backward(params, cache, Y, loss)
        expected = ref_backward(params, X, Y, hidden, output, loss)
        expect_sequence(got, len(params), "backward", case, "a list of %d dicts {'W': ..., 'b': ...} (one per layer, "
                        "like params)" % len(params), SHAPE_HINT)
        for l in range(len(params)) if layers == "all" else [len(params) - 1]:
            for key in keys:
                out.append(["%s: the gradient of layer %d's %s" % (case, l + 1, key), got[l][key], expected[l][key],
                            _known("backward", expected[l][key], params, X, Y, hidden, output, loss, l, key)])
    return out


@item(points=2, visible=True, after=FORWARD_ITEMS)
def test_backward_sigmoid_quadratic(nb):
    """backward, one sample, sigmoid hidden and output, quadratic loss: every layer's dW"""
    cases = _backward_cases(nb, [([3, 4, 2], 51), ([3, 3, 3], 52), ([2, 5, 4, 3], 53)], "sigmoid", "sigmoid",
                            "quadratic", "all", ["W"])
    cases += _backward_cases(nb, [([2, 3, 2], 54)], "sigmoid", "sigmoid", "quadratic", "all", ["W"], default_loss=True)
    expect_all_close(cases, "backward", SIGMOID_HINT)


@item(points=2, after=FORWARD_ITEMS)
def test_backward_relu_hidden(nb):
    """backward, one sample, ReLU hidden layers (sigmoid output, quadratic loss): every layer's dW"""
    hint = ("for ReLU hidden layers the error passed down is masked by ReLU's derivative at the lower layer's Z "
            "(relu_prime: 1 where Z > 0, else 0) — not by relu(Z) itself. " + SHAPE_HINT)
    cases = _backward_cases(nb, [([4, 5, 3], 61), ([3, 3, 3], 62), ([3, 6, 4, 2], 63)], "relu", "sigmoid",
                            "quadratic", "all", ["W"])
    expect_all_close(cases, "backward", hint)


@item(points=1, after=FORWARD_ITEMS)
def test_backward_sigmoid_cross_entropy(nb):
    """backward, one sample, sigmoid output with binary cross-entropy: the output layer's dW (δ_L = a − y)"""
    hint = "with cross-entropy the σ' factor cancels in the output layer (section 3.1, the slides' appendix). " + \
        SHAPE_HINT
    cases = []
    for hidden in HIDDEN:
        cases += _backward_cases(nb, [([3, 4, 2], 71), ([4, 4, 4], 72)], hidden, "sigmoid", "cross_entropy", "last",
                                 ["W"])
    expect_all_close(cases, "backward", hint)


@item(points=2, after=FORWARD_ITEMS)
def test_backward_softmax_cross_entropy(nb):
    """backward, one sample, softmax output with categorical cross-entropy: the output layer's dW"""
    hint = ("with a one-hot y, softmax and the categorical cross-entropy combine into a simple output error "
            "(section 3.1's table). " + SHAPE_HINT)
    cases = []
    for hidden in HIDDEN:
        cases += _backward_cases(nb, [([3, 4, 3], 81), ([4, 5, 4, 4], 82)], hidden, "softmax", "cross_entropy",
                                 "last", ["W"])
    expect_all_close(cases, "backward", hint)


@item(points=1, after=FORWARD_ITEMS)
def test_backward_softmax_quadratic(nb):
    """backward, one sample, softmax output with quadratic loss: the output layer's dW (softmax Jacobian)"""
    hint = ("softmax is not element-wise: each output depends on every z, so the output error needs the softmax's "
            "Jacobian, summed over each row (section 3.1), not ∇aC ⊙ f'(z). " + SHAPE_HINT)
    cases = []
    for hidden in HIDDEN:
        cases += _backward_cases(nb, [([3, 4, 3], 91), ([3, 3, 3], 92)], hidden, "softmax", "quadratic", "last",
                                 ["W"])
    expect_all_close(cases, "backward", hint)


@item(points=1, after=FORWARD_ITEMS)
def test_backward_bias(nb):
    """backward, one sample: the output layer's db (= δ_L, shape (n_out,)), every output/loss, 0 or 1 hidden layers"""
    hint = ("db is the output error averaged over the samples of the batch (the rows), with b's shape (n_out,) — "
            "not (1, n_out), not averaged over the units")
    cases = []
    for (sizes, seed), hidden in zip([([3, 4], 101), ([3, 5, 4], 102)], HIDDEN):
        for output, loss in itertools.product(OUTPUTS, LOSSES):
            cases += _backward_cases(nb, [(sizes, seed)], hidden, output, loss, "last", ["b"])
    expect_all_close(cases, "backward", hint)


# ---------------------------------------------------------------- backward on batches and deep nets

SUM_CAUSE = {"W": SUM, "b": BIAS_SUM}


@item(points=2, after=FORWARD_ITEMS)
def test_backward_batch_mean(nb):
    """backward on a batch = the mean of your own per-sample gradients (every W and b, every combination)"""
    hint = ("the gradient of the MEAN loss is the average of the per-sample gradients: divide by the batch size "
            "once (section 3.3)")
    cases, causes = [], []
    for hidden, output, loss, sizes, n, seed in batch_cases():
        params, X, Y = make_problem(seed, sizes, n, hidden, output)
        case = _case(sizes, n, hidden, output, loss)
        cache = _student_cache(nb, params, X, hidden, output, case).value[1]
        batch = _grad_arrays(nb.backward(params, cache, Y, loss), len(params), case, hint)
        singles = []
        for i in range(n):
            single = _student_cache(nb, params, X[i:i + 1], hidden, output, "%s, sample %d alone" % (case, i))
            singles.append(_grad_arrays(nb.backward(params, single.value[1], Y[i:i + 1], loss), len(params), case,
                                        hint))
        mean = [{key: np.mean([s[l][key] for s in singles], axis=0) for key in ("W", "b")} for l in range(len(params))]
        l, key = _first_failing(batch, mean) or (len(params) - 1, "W")
        causes.append(_network_causes(batch, mean, [
            (SUM, lambda l, key, mean=mean, n=n: n * mean[l][key]),
            (BIAS_SUM, lambda l, key, mean=mean, n=n: (n if key == "b" else 1) * mean[l][key]),
            ("divided by n twice (once in δ, once in the gradient?): 1/n² of the sum",
             lambda l, key, mean=mean, n=n: mean[l][key] / n)]))
        cases.append(["%s: the gradient of layer %d's %s against the mean of your %d per-sample gradients"
                      % (case, l + 1, key, n), batch[l][key], mean[l][key], (l, key)])
    expect_all_close(_diagnosed(cases, causes), "backward", hint)


@item(points=3, after=FORWARD_ITEMS)
def test_backward_deep(nb):
    """backward on random nets (1–3 hidden layers, batches, every combination): reference and finite differences"""
    hint = ("run the recursion through every layer, each step with the right layer's W and Z (section 3.2), and "
            "average over the batch (section 3.3); never modify params, X or Y")
    cases, causes, checked = [], [], []
    for hidden, output, loss, sizes, n, seed in deep_cases():
        params, X, Y = make_problem(seed, sizes, n, hidden, output)
        case = _case(sizes, n, hidden, output, loss)
        fwd = _student_cache(nb, params, X, hidden, output, case)
        expect_unchanged(X, fwd.args[1], "forward", "X")
        _expect_params_unchanged(params, fwd.args[0], "forward")
        call = nb.inspect("backward", params, fwd.value[1], Y, loss)
        _expect_params_unchanged(params, call.args[0], "backward")
        expect_unchanged(Y, call.args[2], "backward", "Y")
        got = _grad_arrays(call.value, len(params), case, hint)
        expected = ref_backward(params, X, Y, hidden, output, loss)
        l, key = _first_failing(got, expected) or (0, "W")
        problem = (params, X, Y, hidden, output, loss)
        causes.append(_network_causes(got, expected, [
            (cause, lambda l, key, wrong=wrong, problem=problem: wrong(*problem, l, key))
            for cause, wrong in MISCONCEPTIONS["backward"]]))
        cases.append(["%s: the gradient of layer %d's %s" % (case, l + 1, key), got[l][key], expected[l][key],
                      (l, key)])
        checked.append((params, X, Y, hidden, output, loss, case, got))
    expect_all_close(_diagnosed(cases, causes), "backward", hint)
    for params, X, Y, hidden, output, loss, case, got in checked:
        fd = fd_gradients(params, X, Y, hidden, output, loss)
        for l, key in itertools.product(range(len(params)), ("W", "b")):
            error = ref_relative_error(got[l][key], fd[l][key], FD_FLOOR)
            if error > FD_LIMIT:
                fail("backward", "%s: the gradient of layer %d's %s" % (case, l + 1, key),
                     "relative error %.2g against finite differences of the mean loss (limit %g)"
                     % (error, FD_LIMIT), hint)


# ---------------------------------------------------------------- numerical_gradient and relative_error


def _scalar_function(shape, fn):
    """An f for numerical_gradient, as a formula: checks the shape it is given, returns a float."""
    return Formula.trace(fn, shape=shape, scalar=True)


@item(points=2, visible=True)
def test_numerical_gradient_values(nb):
    """numerical_gradient: central differences (f(x+h) − f(x−h)) / 2h per entry, with the h given, any shape"""
    hint = ("perturb one entry at a time, on both sides, calling f on the whole array each time (central "
            "differences, section 4); use the h argument")
    rng = np.random.default_rng(131)
    x, c = rng.normal(size=6), rng.uniform(0.5, 2.0, size=6)
    h = 1e-3
    cubic = lambda v: np.sum(c * v ** 3)                                           # noqa: E731
    expected = c * (3 * x ** 2 + h ** 2)
    cases = [["f(x) = Σ c·x³ with h = 1e-3 (exactly 3c·x² + c·h² for central differences)",
              nb.numerical_gradient(_scalar_function(x.shape, cubic), x, h), expected,
              _known("numerical_gradient", expected, cubic, x, h)]]
    x, c2 = rng.normal(size=(3, 4)), rng.uniform(0.5, 2.0, size=(3, 4))
    sine = lambda v: np.sum(c2 * np.sin(v))                                        # noqa: E731
    expected = c2 * np.cos(x)
    cases.append(["f(x) = Σ c·sin(x) on a 3×4 array, default h", nb.numerical_gradient(_scalar_function(x.shape, sine),
                                                                                      x), expected,
                  _known("numerical_gradient", expected, sine, x)])
    expect_all_close(cases, "numerical_gradient", hint, rtol=1e-8, atol=1e-8, float_dtype=True)


def _restore_cause(before, after, h=1e-5):
    """The misconception behind an x that numerical_gradient changed, if a known one."""
    if not (isinstance(after, np.ndarray) and after.shape == before.shape and after.dtype.kind == "f"):
        return None
    d = after - before
    if np.allclose(d, -h, rtol=1e-3, atol=0):
        return "each entry was left at x[i] − h: it is never put back"
    if np.allclose(d, h, rtol=1e-3, atol=0):
        return "each entry was left at x[i] + h: it is never put back"
    if np.all(np.abs(d) <= 1e-12 * np.maximum(1, np.abs(before))):
        return ("x was restored by adding and subtracting h: the rounding errors of that arithmetic stay (~1e-16); "
                "put back the saved value instead")
    return None


@item(points=1)
def test_numerical_gradient_restores(nb):
    """numerical_gradient leaves x exactly as it found it (1-D and 2-D x)"""
    hint = ("save each entry's old value before perturbing it and put that value back (x[i] = old) — or perturb a "
            "copy")
    rng = np.random.default_rng(141)
    for shape in [(5,), (4, 3)]:
        x, c = rng.normal(size=shape), rng.normal(size=shape)
        f = _scalar_function(shape, lambda v, c=c: np.sum(c * v) ** 2 + np.sum(np.exp(v)))
        after_x = nb.inspect("numerical_gradient", f, x).args[1]
        if isinstance(after_x, np.ndarray) and after_x.shape == x.shape and np.array_equal(after_x, x):
            continue
        changed = "%d of %d entries" % (np.sum(after_x != x), x.size) if isinstance(after_x, np.ndarray) and \
            after_x.shape == x.shape else "it is now %s" % describe(after_x)
        cause = _restore_cause(x, after_x)
        fail("numerical_gradient", "x of shape %s" % (shape,), "x is not exactly as it was after the call (%s changed)"
             % changed + likely_cause(cause), hint)


@item(points=1, visible=True)
def test_relative_error_values(nb):
    """relative_error = max over entries of |a − b| / max(1e-8, |a| + |b|), one float"""
    hint = ("divide entry by entry, with the denominator floored at 1e-8 (np.maximum, not +), then take the "
            "largest ratio")
    rng = np.random.default_rng(151)
    a = rng.normal(size=(4, 5))
    inputs = [
        ("a=[1, 2, 3], b=[1, 2, 3.3]", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.3])),
        ("two close random 4×5 arrays", a, a * (1 + 1e-5 * rng.normal(size=a.shape))),
        ("a=[100, 1e-3], b=[100, 2e-3] (the max is taken entry by entry)", np.array([100.0, 1e-3]),
         np.array([100.0, 2e-3])),
        ("a=[1e-10, 0, 5], b=[0, 0, 5] (denominator floored at 1e-8; 0 where both are 0)",
         np.array([1e-10, 0.0, 5.0]), np.array([0.0, 0.0, 5.0])),
        ("a=[1.0], b=[1.5] (one entry)", np.array([1.0]), np.array([1.5])),
    ]
    calls, cases = [], []
    for case, x, y in inputs:
        call = nb.inspect("relative_error", x, y)
        expect_scalar(call.value, "relative_error", case, "take the maximum over all entries: one float")
        expected = ref_relative_error(x, y)
        calls.append((call, case))
        cases.append([case, call.value, expected, _known("relative_error", expected, x, y)])
    expect_all_close(cases, "relative_error", hint)
    for call, case in calls:
        expect_no_warnings(call, "relative_error", case, hint)
