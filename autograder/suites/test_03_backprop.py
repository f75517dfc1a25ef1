"""Assignment 03 — backpropagation and gradient checking. Each `test_<item>` is one graded item.

Conventions (the notebook's): `params` is a list with one dict {"W": (n_in, n_out), "b": (n_out,)}
per layer, layer 1 first; `forward(params, X, hidden, output)` returns (A_L, cache), where the cache
is anything the student's `backward(params, cache, Y, loss)` needs (it is passed back untouched,
as data or as an opaque handle); gradients are of the MEAN loss over the batch, in the structure of
params. Y is (n, n_out): 0/1 labels for a sigmoid output, one-hot rows for a softmax output.

Focus. Backward items check one part each: the per-combination items use ONE sample (the per-sample
δ formulas), the sigmoid/ReLU items every layer's dW, the output items only the output layer's dW,
`backward_bias` only the output layer's db. `backward_batch_mean` compares the student's batch
gradients with the mean of the student's own per-sample gradients, so only the averaging is tested
there. `backward_deep` is the end-to-end check: random deeper networks and batches, every W and b,
against the numpy reference and against finite differences of the mean loss.

Finite differences. `fd_gradients` uses the 5-point stencil with h = 1e-3 (error O(h⁴)); ReLU
networks are drawn with every hidden |z| > RELU_MARGIN so no perturbation crosses the kink. Dead
ReLU units have gradients exactly 0 where differences give rounding noise (~1e-13), so the agreement
measure floors the denominator at FD_FLOOR = 1e-6 instead of the notebook's 1e-8; the worst error of
the reference over these networks is ~1e-7 (checked in autograder/tests/test_tf_03_backprop.py).
"""
import itertools

import numpy as np

from autograder.expect import (as_numeric, describe, expect_array, expect_close, expect_no_warnings, expect_scalar,
                               expect_sequence, expect_structure, expect_unchanged, fail)
from autograder.items import visible
from autograder.worker.program import Formula

HIDDEN = ("sigmoid", "relu")
OUTPUTS = ("sigmoid", "softmax")
LOSSES = ("quadratic", "cross_entropy")
EPS = 1e-12
RELU_MARGIN = 0.02
FD_STEP = 1e-3
FD_FLOOR = 1e-6
FD_LIMIT = 1e-6

# ---------------------------------------------------------------- numpy reference


def ref_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def ref_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


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


def _student_grads(nb, params, X, Y, hidden, output, loss, case):
    cache = _forward_call(nb, params, X, hidden, output, case).value[1]
    return nb.backward(params, cache, Y, loss)


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


def _expect_grads(got, expected, layers, keys, case, hint):
    """Compare the listed layers (0-based) and keys of the student's gradients with the reference."""
    got = _grad_arrays(got, len(expected), case, hint)
    for l in layers:
        for key in keys:
            expect_close(got[l][key], expected[l][key], "backward",
                         "%s: the gradient of layer %d's %s" % (case, l + 1, key), hint)
    return got


def _expect_params_unchanged(before, after, func):
    for l, (p, q) in enumerate(zip(before, after)):
        for key in ("W", "b"):
            expect_unchanged(p[key], q.get(key) if isinstance(q, dict) else None, func,
                             "params[%d][%r]" % (l, key))


def _rng(nb, seed):
    """A Generator made in the student's process by the setup cell's `default_rng`, as a handle.

    A Generator is not data: it cannot be sent to the student's process, so it is made there."""
    return nb.default_rng(seed)


# ---------------------------------------------------------------- init_params

INIT_HINT = ("return a list with one dict {'W': (n_in, n_out), 'b': (n_out,)} per pair of consecutive layer "
             "sizes; W ~ normal(0, 1/sqrt(n_in)) drawn from rng, b zeros")


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


@visible
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


def test_init_params_random(nb):
    """init_params draws W from rng only (same seed → same params, other seed → other W), std 1/√n_in"""
    hint = ("draw W from the rng argument (rng.normal or rng.standard_normal, scaled by 1/sqrt(n_in)); never "
            "np.random.* or a generator you create yourself")
    sizes = [400, 300, 10]
    first, case = _init(nb, sizes, 31)
    again, _ = _init(nb, sizes, 31)
    other, _ = _init(nb, sizes, 32)
    for l in range(2):
        W = as_numeric(first[l]["W"], "init_params", case, hint)
        expect_close(again[l]["W"], W, "init_params", "%s, called twice with default_rng(31)" % case, hint)
        if np.array_equal(as_numeric(other[l]["W"], "init_params", case, hint), W):
            fail("init_params", case, "default_rng(31) and default_rng(32) gave the same W", hint)
        std, n = 1 / np.sqrt(sizes[l]), W.size
        if abs(W.std() / std - 1) > 0.08 or abs(W.mean()) > 6 * std / np.sqrt(n):
            fail("init_params", case, "layer %d's W has mean %.3g and standard deviation %.4g; expected mean 0 "
                 "and standard deviation 1/sqrt(%d) = %.4g" % (l + 1, W.mean(), W.std(), sizes[l], std), hint)


# ---------------------------------------------------------------- forward

FORWARD_HINT = ("Z = A_prev @ W + b for every layer; the hidden activation on layers 1..L-1, the output "
                "activation (sigmoid, or softmax row by row) on layer L; return (A_L, cache)")


def _expect_forward(nb, params, X, hidden, output, case):
    call = _forward_call(nb, params, X, hidden, output, case)
    expect_close(call.value[0], ref_forward(params, X, hidden, output)[0], "forward", case, FORWARD_HINT)
    return call


@visible
def test_forward_values(nb):
    """forward returns the network's output for every hidden/output pair, with 0, 1 and 2 hidden layers"""
    for sizes, seed in [([3, 4, 2], 41), ([3, 2], 42), ([3, 4, 4, 3], 43)]:
        for hidden, output in itertools.product(HIDDEN, OUTPUTS):
            params, X, _ = make_problem(seed, sizes, 4, hidden, output)
            _expect_forward(nb, params, X, hidden, output, _case(sizes, 4, hidden, output))


def test_forward_random(nb):
    """forward on random nets and large inputs: right values, no warnings, X and params unchanged"""
    rng = np.random.default_rng(44)
    for hidden, output in itertools.product(HIDDEN, OUTPUTS):
        for scale in (1.0, 300.0):
            sizes, n = random_sizes(rng, 0, 3), int(rng.integers(1, 9))
            params, X, _ = make_problem(int(rng.integers(1 << 30)), sizes, n, hidden, output)
            X = X * scale
            case = _case(sizes, n, hidden, output) + ("" if scale == 1 else ", inputs of size ~%g" % scale)
            call = _expect_forward(nb, params, X, hidden, output, case)
            expect_no_warnings(call, "forward", case, "use the given stable sigmoid and softmax")
            expect_unchanged(X, call.args[1], "forward", "X")
            _expect_params_unchanged(params, call.args[0], "forward")


# ---------------------------------------------------------------- backward, one part at a time

SHAPE_HINT = "dW = A_prevᵀ @ δ has W's shape (n_in, n_out) — not δᵀ @ A_prev"
SIGMOID_HINT = ("δ_L = (a − y) ⊙ σ'(z_L); dW = A_prevᵀ @ δ; then δ_prev = (δ @ Wᵀ) ⊙ σ'(Z_prev) — "
                "sigmoid_prime(Z), not sigmoid(Z). " + SHAPE_HINT)


def _check_backward(nb, cases, hidden, output, loss, layers, keys, hint):
    """cases: (sizes, seed); one sample each; compare the chosen layers ("all" or "last") and keys."""
    for sizes, seed in cases:
        params, X, Y = make_problem(seed, sizes, 1, hidden, output)
        case = _case(sizes, 1, hidden, output, loss)
        got = _student_grads(nb, params, X, Y, hidden, output, loss, case)
        expected = ref_backward(params, X, Y, hidden, output, loss)
        expect_sequence(got, len(params), "backward", case, "a list of %d dicts {'W': ..., 'b': ...} (one per layer, "
                        "like params)" % len(params), hint)
        for l in range(len(params)) if layers == "all" else [len(params) - 1]:
            for key in keys:
                expect_close(got[l][key], expected[l][key], "backward",
                             "%s: the gradient of layer %d's %s" % (case, l + 1, key), hint)


@visible
def test_backward_sigmoid_quadratic(nb):
    """backward, one sample, sigmoid hidden and output, quadratic loss: every layer's dW"""
    _check_backward(nb, [([3, 4, 2], 51), ([3, 3, 3], 52), ([2, 5, 4, 3], 53)], "sigmoid", "sigmoid",
                    "quadratic", "all", ["W"], SIGMOID_HINT)


def test_backward_relu_hidden(nb):
    """backward, one sample, ReLU hidden layers (sigmoid output, quadratic loss): every layer's dW"""
    hint = ("for ReLU hidden layers δ_prev = (δ @ Wᵀ) ⊙ relu_prime(Z_prev): 1 where Z > 0, else 0 — not "
            "relu(Z). " + SHAPE_HINT)
    _check_backward(nb, [([4, 5, 3], 61), ([3, 3, 3], 62), ([3, 6, 4, 2], 63)], "relu", "sigmoid",
                    "quadratic", "all", ["W"], hint)


def test_backward_sigmoid_cross_entropy(nb):
    """backward, one sample, sigmoid output with binary cross-entropy: the output layer's dW (δ_L = a − y)"""
    hint = "with cross-entropy σ' cancels (the slides' appendix): δ_L = a − y. " + SHAPE_HINT
    for hidden in HIDDEN:
        _check_backward(nb, [([3, 4, 2], 71), ([4, 4, 4], 72)], hidden, "sigmoid", "cross_entropy", "last",
                        ["W"], hint)


def test_backward_softmax_cross_entropy(nb):
    """backward, one sample, softmax output with categorical cross-entropy: the output layer's dW"""
    hint = "softmax with categorical cross-entropy (one-hot y) gives δ_L = a − y. " + SHAPE_HINT
    for hidden in HIDDEN:
        _check_backward(nb, [([3, 4, 3], 81), ([4, 5, 4, 4], 82)], hidden, "softmax", "cross_entropy", "last",
                        ["W"], hint)


def test_backward_softmax_quadratic(nb):
    """backward, one sample, softmax output with quadratic loss: the output layer's dW (softmax Jacobian)"""
    hint = ("softmax is not element-wise, so δ ≠ ∇aC ⊙ f'(z): δ_L = a ⊙ (g − Σ_j g_j a_j) with g = a − y, the "
            "sum taken over each row. " + SHAPE_HINT)
    for hidden in HIDDEN:
        _check_backward(nb, [([3, 4, 3], 91), ([3, 3, 3], 92)], hidden, "softmax", "quadratic", "last", ["W"],
                        hint)


def test_backward_bias(nb):
    """backward, one sample: the output layer's db (= δ_L, shape (n_out,)), every output/loss, 0 or 1 hidden layers"""
    hint = "db = δ averaged over the rows of the batch: shape (n_out,) like b — not (1, n_out), not summed over units"
    for (sizes, seed), hidden in zip([([3, 4], 101), ([3, 5, 4], 102)], HIDDEN):
        for output, loss in itertools.product(OUTPUTS, LOSSES):
            _check_backward(nb, [(sizes, seed)], hidden, output, loss, "last", ["b"], hint)


# ---------------------------------------------------------------- backward on batches and deep nets


def test_backward_batch_mean(nb):
    """backward on a batch = the mean of your own per-sample gradients (every W and b, every combination)"""
    for hidden, output, loss, sizes, n, seed in batch_cases():
        params, X, Y = make_problem(seed, sizes, n, hidden, output)
        case = _case(sizes, n, hidden, output, loss)
        hint = ("the gradient of the MEAN loss is the average of the per-sample gradients: divide by n = %d once "
                "(dW = A_prevᵀ @ δ / n, db = δ.sum(axis=0) / n)" % n)
        batch = _grad_arrays(_student_grads(nb, params, X, Y, hidden, output, loss, case), len(params), case, hint)
        singles = [_grad_arrays(_student_grads(nb, params, X[i:i + 1], Y[i:i + 1], hidden, output, loss, case),
                                len(params), case, hint) for i in range(n)]
        for l, key in itertools.product(range(len(params)), ("W", "b")):
            mean = np.mean([s[l][key] for s in singles], axis=0)
            what = "%s: the gradient of layer %d's %s against the mean of the %d per-sample gradients" % (
                case, l + 1, key, n)
            if batch[l][key].shape == mean.shape and np.any(mean) and np.allclose(batch[l][key], n * mean):
                fail("backward", what, "it is n = %d times the mean (a sum over the batch)" % n, hint)
            expect_close(batch[l][key], mean, "backward", what, hint)


def test_backward_deep(nb):
    """backward on random nets (1–3 hidden layers, batches, every combination): reference and finite differences"""
    hint = ("run the recursion through every layer: δ_(l−1) = (δ_l @ W_lᵀ) ⊙ f'(Z_(l−1)) with layer l's W and "
            "layer l−1's Z, and average over the batch; never modify params, X or Y")
    for hidden, output, loss, sizes, n, seed in deep_cases():
        params, X, Y = make_problem(seed, sizes, n, hidden, output)
        case = _case(sizes, n, hidden, output, loss)
        fwd = _forward_call(nb, params, X, hidden, output, case)
        expect_unchanged(X, fwd.args[1], "forward", "X")
        _expect_params_unchanged(params, fwd.args[0], "forward")
        call = nb.inspect("backward", params, fwd.value[1], Y, loss)
        _expect_params_unchanged(params, call.args[0], "backward")
        expect_unchanged(Y, call.args[2], "backward", "Y")
        got = _expect_grads(call.value, ref_backward(params, X, Y, hidden, output, loss), range(len(params)),
                            ("W", "b"), case, hint)
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


@visible
def test_numerical_gradient_values(nb):
    """numerical_gradient: central differences (f(x+h) − f(x−h)) / 2h per entry, with the h given, any shape"""
    hint = ("for each entry i: (f(x with x[i]+h) − f(x with x[i]−h)) / (2h), calling f on the whole array; "
            "central, not forward differences; use the h argument")
    rng = np.random.default_rng(131)
    x, c = rng.normal(size=6), rng.uniform(0.5, 2.0, size=6)
    h = 1e-3
    got = nb.numerical_gradient(_scalar_function(x.shape, lambda v: np.sum(c * v ** 3)), x, h)
    expect_close(got, c * (3 * x ** 2 + h ** 2), "numerical_gradient", "f(x) = Σ c·x³ with h = 1e-3 "
                 "(exactly 3c·x² + c·h² for central differences)", hint, rtol=1e-8, atol=1e-9, float_dtype=True)
    x, c = rng.normal(size=(3, 4)), rng.uniform(0.5, 2.0, size=(3, 4))
    got = nb.numerical_gradient(_scalar_function(x.shape, lambda v: np.sum(c * np.sin(v))), x)
    expect_close(got, c * np.cos(x), "numerical_gradient", "f(x) = Σ c·sin(x) on a 3×4 array, default h",
                 hint, rtol=0, atol=1e-8, float_dtype=True)


def test_numerical_gradient_restores(nb):
    """numerical_gradient leaves x exactly as it found it (1-D and 2-D x)"""
    rng = np.random.default_rng(141)
    for shape in [(5,), (4, 3)]:
        x, c = rng.normal(size=shape), rng.normal(size=shape)
        f = _scalar_function(shape, lambda v: np.sum(c * v) ** 2 + np.sum(np.exp(v)))
        call = nb.inspect("numerical_gradient", f, x)
        expect_unchanged(x, call.args[1], "numerical_gradient", "x (shape %s)" % (shape,),
                         hint="save old = x[i], perturb, then put it back with x[i] = old (adding and subtracting h "
                              "leaves rounding errors) — or perturb a copy")


@visible
def test_relative_error_values(nb):
    """relative_error = max over entries of |a − b| / max(1e-8, |a| + |b|), one float"""
    hint = "compute |a − b| / np.maximum(1e-8, |a| + |b|) entry by entry, then take the largest"
    rng = np.random.default_rng(151)
    a = rng.normal(size=(4, 5))
    cases = [
        ("a=[1, 2, 3], b=[1, 2, 3.3]", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.3])),
        ("two close random 4×5 arrays", a, a * (1 + 1e-5 * rng.normal(size=a.shape))),
        ("a=[100, 1e-3], b=[100, 2e-3] (the max is taken entry by entry)", np.array([100.0, 1e-3]),
         np.array([100.0, 2e-3])),
        ("a=[1e-10, 0, 5], b=[0, 0, 5] (denominator floored at 1e-8; 0 where both are 0)",
         np.array([1e-10, 0.0, 5.0]), np.array([0.0, 0.0, 5.0])),
        ("the scalars 1.0 and 1.5", 1.0, 1.5),
    ]
    for case, x, y in cases:
        call = nb.inspect("relative_error", x, y)
        expect_no_warnings(call, "relative_error", case, hint)
        expect_scalar(call.value, "relative_error", case, "take the maximum over all entries")
        expect_close(call.value, ref_relative_error(x, y), "relative_error", case, hint)
