"""Assignment 02 — loss functions: quadratic, cross-entropy, softmax. Each `test_<item>` is one graded item.

Losses are per-sample formulas (summed over the k outputs) averaged over the n rows; gradients and
deltas are per sample, shape (n, k). Probabilities are clipped to [EPS, 1 − EPS] before logarithms.
"""
import numpy as np

from autograder.expect import expect_close, expect_no_warnings, expect_unchanged
from autograder.items import visible

EPS = 1e-12                       # the notebook's clip epsilon
# Where clipping decides the value, accept clipping either a or 1 − a at EPS (they differ by ~1e-4
# relative, because 1 − (1 − 1e-12) is not exactly 1e-12 in float64).
CLIPPED = {"rtol": 1e-3, "atol": 1e-9}

SLIDES_A = (0.99, 0.5, 0.01)      # the slides' appendix examples, all with y = 1


def ref_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def ref_quadratic_loss(y, a):
    return 0.5 * np.mean(np.sum((y - a) ** 2, axis=1))


def ref_cross_entropy(y, a):
    a = np.clip(a, EPS, 1 - EPS)
    return -np.mean(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1))


def ref_cross_entropy_grad(y, a):
    a = np.clip(a, EPS, 1 - EPS)
    return -(y / a - (1 - y) / (1 - a))


def ref_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ref_categorical_cross_entropy(y, a):
    return -np.mean(np.sum(y * np.log(np.clip(a, EPS, 1.0)), axis=1))


def ref_output_delta(y, z):
    return ref_sigmoid(z) - y


def _expect(nb, func, args, expected, case, hint, **tolerance):
    """Call `func(*args)`: no numpy warnings, and the value (shape first) close to `expected`."""
    call = nb.inspect(func, *args)
    expect_no_warnings(call, func, case, hint)
    expect_close(call.value, expected, func, case, hint, **tolerance)


def _labels_and_outputs(rng, n, k, soft=False):
    """Labels (0/1, or uniform in [0, 1] if soft) and outputs in [0.01, 0.99], both (n, k)."""
    y = rng.uniform(size=(n, k)) if soft else rng.integers(0, 2, size=(n, k)).astype(float)
    return y, rng.uniform(0.01, 0.99, size=(n, k))


def _one_hot(rng, n, k):
    return np.eye(k)[rng.integers(0, k, size=n)]


# -- quadratic loss ---------------------------------------------------------------------------

@visible
def test_quadratic_loss_table(nb):
    """quadratic_loss on the slides' examples (y = 1, a = 0.99 / 0.5 / 0.01), with the ½: 0.00005 / 0.125 / 0.49005"""
    for a in SLIDES_A:
        y1, a1 = np.array([[1.0]]), np.array([[a]])
        _expect(nb, "quadratic_loss", (y1, a1), ref_quadratic_loss(y1, a1),
                "one sample y = [[1]], a = [[%s]]" % a,
                "J = ½‖y − a‖²: the slides' table leaves out the ½ — keep it, so ½(1 − %s)² = %.6g"
                % (a, 0.5 * (1 - a) ** 2))


def test_quadratic_loss_batch(nb):
    """quadratic_loss averages ½‖y − a‖² over the rows of random batches (returns one float)"""
    rng = np.random.default_rng(201)
    for n, k in [(6, 3), (17, 1), (2, 10)]:
        y, a = rng.normal(size=(n, k)), rng.normal(size=(n, k))
        _expect(nb, "quadratic_loss", (y, a), ref_quadratic_loss(y, a), "a random batch of shape (%d, %d)" % (n, k),
                "sum ½(y_j − a_j)² over the k outputs of each row (axis=1), then take the mean over "
                "the n rows — the mean, not the sum, and not the mean over all n·k entries")


@visible
def test_quadratic_loss_grad_values(nb):
    """quadratic_loss_grad returns the per-sample gradient a − y, shape (n, k)"""
    rng = np.random.default_rng(202)
    for n, k in [(5, 4), (1, 3)]:
        y, a = rng.normal(size=(n, k)), rng.normal(size=(n, k))
        _expect(nb, "quadratic_loss_grad", (y, a), a - y, "a random batch of shape (%d, %d)" % (n, k),
                "the gradient of ½‖y − a‖² with respect to a is a − y, one row per sample (not divided by n)")


# -- binary cross-entropy ---------------------------------------------------------------------

@visible
def test_cross_entropy_table(nb):
    """cross_entropy on the slides' examples (y = 1, a = 0.99 / 0.5 / 0.01): ≈ 0.01 / 0.69 / 4.61"""
    for a in SLIDES_A:
        y1, a1 = np.array([[1.0]]), np.array([[a]])
        _expect(nb, "cross_entropy", (y1, a1), ref_cross_entropy(y1, a1), "one sample y = [[1]], a = [[%s]]" % a,
                "J = −(y ln a + (1 − y) ln(1 − a)); with y = 1 this is −ln a (natural logarithm, np.log)")


def test_cross_entropy_batch(nb):
    """cross_entropy sums over the outputs and averages over the rows (0/1 and soft labels)"""
    rng = np.random.default_rng(203)
    for n, k, soft in [(8, 3, False), (5, 2, True), (20, 1, False)]:
        y, a = _labels_and_outputs(rng, n, k, soft)
        _expect(nb, "cross_entropy", (y, a), ref_cross_entropy(y, a),
                "a random batch of shape (%d, %d) with %s labels" % (n, k, "soft" if soft else "0/1"),
                "sum −(y ln a + (1 − y) ln(1 − a)) over the k outputs of each row (axis=1), then take "
                "the mean over the n rows (not the sum)")


def test_cross_entropy_extreme(nb):
    """cross_entropy is finite, without warnings, for outputs exactly 0 or 1 (a clipped to [1e-12, 1 − 1e-12])"""
    cases = [(np.array([[1.0, 0.0, 1.0, 0.0, 0.5, 0.5]]), np.array([[0.0, 1.0, 1.0, 0.0, 0.0, 1.0]])),
             (np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]))]
    for y, a in cases:
        _expect(nb, "cross_entropy", (y, a), ref_cross_entropy(y, a),
                "one sample with outputs exactly 0 or 1: y = %s, a = %s" % (y.tolist(), a.tolist()),
                "ln 0 = −inf: clip first, a = np.clip(a, EPS, 1 - EPS) with EPS = 1e-12, then take the logs",
                **CLIPPED)


@visible
def test_cross_entropy_grad_values(nb):
    """cross_entropy_grad returns −(y/a − (1 − y)/(1 − a)) per sample, shape (n, k)"""
    rng = np.random.default_rng(204)
    for n, k, soft in [(7, 3, False), (4, 2, True)]:
        y, a = _labels_and_outputs(rng, n, k, soft)
        _expect(nb, "cross_entropy_grad", (y, a), ref_cross_entropy_grad(y, a),
                "a random batch of shape (%d, %d) with %s labels" % (n, k, "soft" if soft else "0/1"),
                "differentiate the cross-entropy with respect to a: −(y/a − (1 − y)/(1 − a)), element-wise "
                "(a − y is the gradient of the quadratic loss, or the δ after the sigmoid — not this)")


def test_cross_entropy_grad_extreme(nb):
    """cross_entropy_grad is finite, without warnings, for outputs exactly 0 or 1 (same clipping)"""
    y = np.array([[1.0, 0.0, 1.0, 0.0, 0.5], [0.0, 1.0, 0.5, 1.0, 0.0]])
    a = np.array([[0.0, 1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 1.0, 0.5]])
    _expect(nb, "cross_entropy_grad", (y, a), ref_cross_entropy_grad(y, a),
            "outputs exactly 0 or 1: y = %s, a = %s" % (y.tolist(), a.tolist()),
            "clip a to [EPS, 1 − EPS] with EPS = 1e-12 before dividing, as in cross_entropy", **CLIPPED)


# -- softmax and categorical cross-entropy ----------------------------------------------------

@visible
def test_softmax_values(nb):
    """softmax works row by row: each row of the result is e^z / Σ e^z and sums to 1"""
    rng = np.random.default_rng(205)
    cases = [(np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]]), "[[1, 2, 3, 4], [0, 0, 0, 0]]"),
             (rng.normal(0, 2, size=(5, 3)), "a random array of shape (5, 3)"),
             (rng.normal(size=(3, 1)), "a random array of shape (3, 1) (one class: all ones)")]
    for z, case in cases:
        _expect(nb, "softmax", (z,), ref_softmax(z), case,
                "exponentiate, then divide by the sum over each row: np.sum(..., axis=1, keepdims=True)")


def test_softmax_extreme(nb):
    """softmax is stable for |z| up to 1e4: no overflow warning, no nan"""
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4 + 1], [1000.0, 1000.5, 999.0], [-800.0, -801.0, -799.0]])
    _expect(nb, "softmax", (z,), ref_softmax(z), "rows with |z| up to 1e4",
            "subtract each row's maximum before np.exp (z.max(axis=1, keepdims=True)): the result is "
            "the same, and no exponent is positive")


@visible
def test_categorical_cross_entropy_values(nb):
    """categorical_cross_entropy: −Σ y ln a per sample, averaged over the rows (one-hot and soft labels)"""
    rng = np.random.default_rng(206)
    for n, k in [(4, 3), (9, 10)]:
        y, a = _one_hot(rng, n, k), ref_softmax(rng.normal(0, 2, size=(n, k)))
        _expect(nb, "categorical_cross_entropy", (y, a), ref_categorical_cross_entropy(y, a),
                "%d samples, %d classes, one-hot labels, softmax outputs" % (n, k),
                "per sample −Σ_j y_j ln a_j (sum over axis=1), then the mean over the n rows (not the sum)")
    y, a = np.array([[0.2, 0.8], [0.5, 0.5]]), np.array([[0.3, 0.7], [0.9, 0.1]])
    _expect(nb, "categorical_cross_entropy", (y, a), ref_categorical_cross_entropy(y, a),
            "soft labels y = %s, a = %s" % (y.tolist(), a.tolist()),
            "multiply every y_j by ln a_j — don't just pick the largest label")


def test_categorical_cross_entropy_extreme(nb):
    """categorical_cross_entropy is finite, without warnings, when outputs are exactly 0 (a clipped at 1e-12)"""
    cases = [(np.array([[0.0, 1.0, 0.0]]), np.array([[0.5, 0.0, 0.5]])),
             (np.array([[1.0, 0.0, 0.0]]), np.array([[1.0, 0.0, 0.0]])),
             (np.array([[0.5, 0.5, 0.0]]), np.array([[1.0, 0.0, 0.0]]))]
    for y, a in cases:
        _expect(nb, "categorical_cross_entropy", (y, a), ref_categorical_cross_entropy(y, a),
                "one sample with outputs exactly 0: y = %s, a = %s" % (y.tolist(), a.tolist()),
                "clip a from below at EPS = 1e-12 before np.log: a correct class at 0 then costs "
                "−ln 1e-12 ≈ 27.6, and a wrong class at 0 costs 0 · ln EPS = 0 instead of nan", **CLIPPED)


# -- the output layer's delta -----------------------------------------------------------------

@visible
def test_output_delta_values(nb):
    """output_delta(y, z) = σ(z) − y for sigmoid outputs with cross-entropy"""
    rng = np.random.default_rng(207)
    cases = [(np.array([[1.0]]), np.array([[0.0]]), "y = [[1]], z = [[0]] (δ = 0.5 − 1)"),
             (rng.integers(0, 2, size=(6, 3)).astype(float), rng.normal(0, 2, size=(6, 3)),
              "random 0/1 labels and z of shape (6, 3)")]
    for y, z, case in cases:
        _expect(nb, "output_delta", (y, z), ref_output_delta(y, z), case,
                "δ = ∇_a C ⊙ σ'(z) simplifies to σ(z) − y: the σ'(z) cancels, don't multiply by it again")


def test_output_delta_saturated(nb):
    """output_delta is exactly σ(z) − y (±1 when badly wrong) where the sigmoid saturates"""
    z = np.array([[40.0, -40.0, 800.0, -800.0, 1e4, -1e4]])
    for y in (np.array([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]])):
        _expect(nb, "output_delta", (y, z), ref_output_delta(y, z),
                "saturated z = %s with y = %s" % (z.tolist(), y.tolist()),
                "return sigmoid(z) - y directly: cross_entropy_grad(y, σ(z)) · σ'(z) gives 0 where σ(z) "
                "rounds to 0 or 1, instead of ±1")


# -- mutation ---------------------------------------------------------------------------------

def test_inputs_unchanged(nb):
    """no function modifies its arguments (e.g. clipping a in place, or z -= z.max(...))"""
    rng = np.random.default_rng(208)
    y = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]])
    a = np.array([[0.0, 1.0, 0.3], [0.7, 0.0, 1.0]])
    z = rng.normal(0, 50, size=(2, 3)) + 100.0
    calls = [("quadratic_loss", (y, a), ("y", "a")), ("quadratic_loss_grad", (y, a), ("y", "a")),
             ("cross_entropy", (y, a), ("y", "a")), ("cross_entropy_grad", (y, a), ("y", "a")),
             ("softmax", (z,), ("z",)), ("categorical_cross_entropy", (y, a), ("y", "a")),
             ("output_delta", (y, z), ("y", "z"))]
    for func, args, names in calls:
        after = nb.inspect(func, *args).args
        for before, now, name in zip(args, after, names):
            expect_unchanged(before, now, func, name,
                             "work on new arrays: a = np.clip(a, ...) and z = z - m, not in-place "
                             "assignments (a[a < EPS] = ..., z -= m)")
