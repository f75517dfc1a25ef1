"""Assignment 02 — loss functions: quadratic, cross-entropy, softmax. Each `test_<item>` is one graded item.

Losses are per-sample formulas (summed over the k outputs) averaged over the n rows; gradients and
deltas are per sample, shape (n, k). Probabilities are clipped to [EPS, 1 − EPS] before logarithms.
"""
import numpy as np

from autograder.expect import expect_all_close, expect_no_warnings, expect_unchanged, known
from autograder.items import item
from autograder.suites.references import ref_sigmoid, ref_softmax

# The assignment: its title, its due date (UTC) and, for 07, its grading settings. Each item declares its
# points with @item below. grading_config.ASSIGNMENTS["02_cross_entropy"] overrides any of these for a course.
ASSIGNMENT = {
    "title": "Loss functions: quadratic, cross-entropy, softmax",
    "due": "2026-12-11 23:59:00 UTC",
}

# The notebook's written contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("quadratic_loss is ½‖y − a‖² per sample, summed over the k outputs (with the ½; the slides' table omits it)",
     ["quadratic_loss_table", "quadratic_loss_batch"]),
    ("a loss is averaged over the n rows of the batch (the mean, not the sum)",
     ["quadratic_loss_batch", "cross_entropy_batch", "categorical_cross_entropy_values"]),
    ("a loss returns one float", ["quadratic_loss_table", "quadratic_loss_batch", "cross_entropy_table",
                                  "cross_entropy_batch", "categorical_cross_entropy_values"]),
    ("quadratic_loss_grad is the per-sample gradient a − y, shape (n, k), not divided by n",
     ["quadratic_loss_grad_values"]),
    ("cross_entropy is −Σ_j (y_j ln a_j + (1 − y_j) ln(1 − a_j)) per sample, natural logarithm",
     ["cross_entropy_table", "cross_entropy_batch"]),
    ("cross-entropy labels may be any value in [0, 1] (soft labels), not only 0/1",
     ["cross_entropy_batch", "cross_entropy_grad_values"]),
    ("cross_entropy clips a to [EPS, 1 − EPS] (EPS = 1e-12): finite, without numpy warnings, at a = 0 or 1",
     ["cross_entropy_extreme"]),
    ("cross_entropy_grad is −(y/a − (1 − y)/(1 − a)) per sample, shape (n, k), not divided by n",
     ["cross_entropy_grad_values"]),
    ("cross_entropy_grad clips a the same way: finite, without warnings, at a = 0 or 1",
     ["cross_entropy_grad_extreme"]),
    ("softmax works row by row (axis=1): each row is e^z / Σ e^z, sums to 1, shape (n, k) kept",
     ["softmax_values"]),
    ("softmax is stable for |z| up to 1e4 (each row's maximum subtracted): no overflow warning, no nan",
     ["softmax_extreme"]),
    ("categorical_cross_entropy is −Σ_j y_j ln a_j per sample, averaged over the rows",
     ["categorical_cross_entropy_values"]),
    ("categorical_cross_entropy implements the sum as written, so soft labels (rows summing to 1) work",
     ["categorical_cross_entropy_values"]),
    ("categorical_cross_entropy clips a below at EPS (clipping at 1 − EPS too is fine): a correct class at 0 "
     "costs −ln EPS, a wrong class at 0 costs 0, no nan, no warnings", ["categorical_cross_entropy_extreme"]),
    ("output_delta(y, z) = σ(z) − y for a sigmoid output with cross-entropy, shape (n, k)", ["output_delta_values"]),
    ("output_delta uses the simplified formula: exactly σ(z) − y (±1) where σ saturates",
     ["output_delta_saturated"]),
    ("functions return new arrays and never modify their inputs (no in-place clipping, no z -= max)",
     ["inputs_unchanged"]),
]

EPS = 1e-12                       # the notebook's clip epsilon
# Where clipping decides the value, accept clipping either a or 1 − a at EPS (they differ by ~1e-4
# relative, because 1 − (1 − 1e-12) is not exactly 1e-12 in float64).
CLIPPED = {"rtol": 1e-3, "atol": 1e-9}

SLIDES_A = (0.99, 0.5, 0.01)      # the slides' appendix examples, all with y = 1


def ref_quadratic_loss(y, a):
    return 0.5 * np.mean(np.sum((y - a) ** 2, axis=1))


def ref_cross_entropy(y, a, eps=EPS):
    a = np.clip(a, eps, 1 - eps)
    return -np.mean(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1))


def ref_cross_entropy_grad(y, a):
    a = np.clip(a, EPS, 1 - EPS)
    return -(y / a - (1 - y) / (1 - a))


def ref_categorical_cross_entropy(y, a):
    return -np.mean(np.sum(y * np.log(np.clip(a, EPS, 1.0)), axis=1))


def ref_output_delta(y, z):
    return ref_sigmoid(z) - y


def _argmax_one_hot(y):
    return np.eye(y.shape[1])[np.argmax(y, axis=1)]


# Known misconceptions: per function, (what the student did, the wrong answer it gives on the same arguments).
MISCONCEPTIONS = {
    "quadratic_loss": [
        ("you left out the ½ of J = ½‖y − a‖² (the slides' table does; the definition keeps it)",
         lambda y, a: 2 * ref_quadratic_loss(y, a)),
        ("this is n times the mean: you summed over the batch instead of averaging",
         lambda y, a: len(y) * ref_quadratic_loss(y, a)),
        ("you averaged over all n·k entries (np.mean of the squares) instead of summing over the k outputs "
         "and averaging over the n rows", lambda y, a: 0.5 * np.mean((y - a) ** 2)),
        ("this is Keras' mse (no ½, mean over all n·k entries), not the notebook's loss",
         lambda y, a: np.mean((y - a) ** 2)),
        ("no ½ and summed over the batch: ‖y − a‖² summed over every entry", lambda y, a: np.sum((y - a) ** 2)),
    ],
    "quadratic_loss_grad": [
        ("you divided by n: the per-sample gradient is a − y (backprop applies the 1/n later)",
         lambda y, a: (a - y) / len(y)),
        ("this is y − a: the sign is flipped", lambda y, a: y - a),
        ("you returned ½(y − a)², the loss per entry, not its gradient", lambda y, a: 0.5 * (y - a) ** 2),
    ],
    "cross_entropy": [
        ("this is n times the mean: you summed over the batch instead of averaging",
         lambda y, a: len(y) * ref_cross_entropy(y, a)),
        ("you averaged over all n·k entries (as Keras' binary_crossentropy does) instead of summing over the "
         "k outputs and averaging over the n rows", lambda y, a: ref_cross_entropy(y, a) / y.shape[1]),
        ("the (1 − y) ln(1 − a) term is missing: binary cross-entropy also charges outputs where y = 0",
         lambda y, a: -np.mean(np.sum(y * np.log(np.clip(a, EPS, 1 - EPS)), axis=1))),
        ("you used log10: the cross-entropy uses the natural logarithm np.log",
         lambda y, a: ref_cross_entropy(y, a) / np.log(10)),
        ("you used log2: the cross-entropy uses the natural logarithm np.log",
         lambda y, a: ref_cross_entropy(y, a) / np.log(2)),
        ("the sign is flipped: J = −(y ln a + (1 − y) ln(1 − a)) is positive", lambda y, a: -ref_cross_entropy(y, a)),
        ("you rounded the soft labels to 0/1: use y as given", lambda y, a: ref_cross_entropy(np.round(y), a)),
        ("you clipped at 1e-7 (Keras' epsilon), not EPS = 1e-12", lambda y, a: ref_cross_entropy(y, a, 1e-7)),
    ],
    "cross_entropy_grad": [
        ("this is a − y, the gradient of the quadratic loss (or the δ after the sigmoid), not of the "
         "cross-entropy", lambda y, a: a - y),
        ("the sign is flipped: the gradient is −(y/a − (1 − y)/(1 − a))", lambda y, a: -ref_cross_entropy_grad(y, a)),
        ("you divided by n: the per-sample gradient is not averaged",
         lambda y, a: ref_cross_entropy_grad(y, a) / len(y)),
        ("the (1 − y)/(1 − a) term is missing", lambda y, a: -y / np.clip(a, EPS, 1 - EPS)),
        ("you differentiated with + between the terms: −(y/a + (1 − y)/(1 − a))",
         lambda y, a: -(y / np.clip(a, EPS, 1 - EPS) + (1 - y) / (1 - np.clip(a, EPS, 1 - EPS)))),
    ],
    "softmax": [
        ("you normalized over the whole array (np.sum without axis), not row by row",
         lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()),
        ("you normalized over the whole array (np.sum without axis), not row by row",
         lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum()),
        ("you normalized over the columns (axis=0), not over each row (axis=1)", lambda z: ref_softmax(z, axis=0)),
        ("you divided by e.sum(axis=1) without keepdims=True: the row sums were spread along the columns",
         lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)),
        ("you returned e^(z − max) without dividing by each row's sum",
         lambda z: np.exp(z - z.max(axis=1, keepdims=True))),
        ("you applied the sigmoid element-wise, not the softmax", lambda z: ref_sigmoid(z)),
    ],
    "categorical_cross_entropy": [
        ("this is n times the mean: you summed over the batch instead of averaging",
         lambda y, a: len(y) * ref_categorical_cross_entropy(y, a)),
        ("you averaged over all n·k entries instead of summing over the k classes and averaging over the n rows",
         lambda y, a: ref_categorical_cross_entropy(y, a) / y.shape[1]),
        ("you turned soft labels into one-hot with argmax: multiply every y_j by ln a_j, as written",
         lambda y, a: ref_categorical_cross_entropy(_argmax_one_hot(y), a)),
        ("you added the (1 − y) ln(1 − a) term of the binary cross-entropy: the categorical one is −Σ y ln a",
         lambda y, a: ref_cross_entropy(y, a)),
        ("you used log10: the cross-entropy uses the natural logarithm np.log",
         lambda y, a: ref_categorical_cross_entropy(y, a) / np.log(10)),
        ("the sign is flipped: −Σ y ln a is positive", lambda y, a: -ref_categorical_cross_entropy(y, a)),
    ],
    "output_delta": [
        ("you multiplied σ(z) − y by σ'(z) again: with cross-entropy the σ'(z) cancels",
         lambda y, z: (ref_sigmoid(z) - y) * ref_sigmoid(z) * (1 - ref_sigmoid(z))),
        ("you computed cross_entropy_grad(y, σ(z))·σ'(z) unsimplified: where σ(z) rounds to 0 or 1 it gives 0 "
         "instead of σ(z) − y = ±1", lambda y, z: ref_cross_entropy_grad(y, ref_sigmoid(z))
         * ref_sigmoid(z) * (1 - ref_sigmoid(z))),
        ("this is y − σ(z): the sign is flipped", lambda y, z: y - ref_sigmoid(z)),
        ("you used z instead of σ(z): the output is a = σ(z)", lambda y, z: z - y),
    ],
}

# Known misconceptions that show as numpy warnings: [warning text, wrong answer (None: any), misconception].
UNSTABLE = {
    "cross_entropy": [("divide by zero encountered in log", None,
                       "np.log got an exact 0: a was not clipped to [EPS, 1 − EPS] before the logarithms (both ends: "
                       "ln(1 − a) needs a < 1)")],
    "cross_entropy_grad": [("divide by zero", None,
                            "you divided by an exact 0: a was not clipped to [EPS, 1 − EPS] before dividing by a and "
                            "by 1 − a")],
    "softmax": [("overflow encountered in exp", None,
                 "you exponentiated z without subtracting each row's maximum first: e^z overflows for z > 709"),
                ("invalid value", lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True),
                 "you subtracted one maximum for the whole array (z.max()) instead of each row's own "
                 "(axis=1, keepdims=True): rows far below it underflow to 0/0 = nan")],
    "categorical_cross_entropy": [("divide by zero encountered in log", None,
                                   "np.log got an exact 0: a was not clipped from below at EPS before the logarithm "
                                   "(and 0 · ln 0 is nan)")],
}


def _unstable(func, *args):
    """UNSTABLE[func] with each wrong answer computed on these arguments."""
    found = []
    for fragment, wrong, cause in UNSTABLE.get(func, ()):
        if wrong is not None:
            with np.errstate(all="ignore"):
                wrong = wrong(*args)
        found.append([fragment, wrong, cause])
    return found


def _case(nb, func, args, expected, case, hint):
    """Call `func(*args)`: no numpy warnings (a known cause named), then [case, value, expected,
    known misconceptions] for `expect_all_close`."""
    call = nb.inspect(func, *args)
    expect_no_warnings(call, func, case, hint, known=_unstable(func, *args))
    return [case, call.value, expected, known(MISCONCEPTIONS, func, *args)]


def _expect(nb, func, cases, hint, **tolerance):
    """`cases` = [(args, expected, case), ...]: each call without warnings, then every value compared, all
    failing cases reported together."""
    expect_all_close([_case(nb, func, args, expected, case, hint) for args, expected, case in cases], func, hint,
                     **tolerance)


def _labels_and_outputs(rng, n, k, soft=False):
    """Labels (0/1, or uniform in [0, 1] if soft) and outputs in [0.01, 0.99], both (n, k)."""
    y = rng.uniform(size=(n, k)) if soft else rng.integers(0, 2, size=(n, k)).astype(float)
    return y, rng.uniform(0.01, 0.99, size=(n, k))


def _one_hot(rng, n, k):
    return np.eye(k)[rng.integers(0, k, size=n)]


# -- quadratic loss ---------------------------------------------------------------------------

def _one_sample(a):
    return np.array([[1.0]]), np.array([[a]])


@item(points=1, visible=True)
def test_quadratic_loss_table(nb):
    """quadratic_loss on the slides' examples (y = 1, a = 0.99 / 0.5 / 0.01), with the ½: 0.00005 / 0.125 / 0.49005"""
    _expect(nb, "quadratic_loss", [(_one_sample(a), ref_quadratic_loss(*_one_sample(a)),
                                    "one sample y = [[1]], a = [[%s]]" % a) for a in SLIDES_A],
            "J = ½‖y − a‖²: the slides' table leaves out the ½ — keep it, so ½(1 − a)² (e.g. ½(1 − 0.99)² = 5e-05)")


@item(points=1)
def test_quadratic_loss_batch(nb):
    """quadratic_loss averages ½‖y − a‖² over the rows of random batches (returns one float)"""
    rng = np.random.default_rng(201)
    cases = []
    for n, k in [(6, 3), (17, 1), (3, 10)]:  # n ≠ 2: n times the loss must not look like a missing ½
        y, a = rng.normal(size=(n, k)), rng.normal(size=(n, k))
        cases.append(((y, a), ref_quadratic_loss(y, a), "a random batch of shape (%d, %d)" % (n, k)))
    _expect(nb, "quadratic_loss", cases,
            "sum ½(y_j − a_j)² over the k outputs of each row (axis=1), then take the mean over "
            "the n rows — the mean, not the sum, and not the mean over all n·k entries")


@item(points=1, visible=True)
def test_quadratic_loss_grad_values(nb):
    """quadratic_loss_grad returns the per-sample gradient a − y, shape (n, k)"""
    rng = np.random.default_rng(202)
    cases = []
    for n, k in [(5, 4), (1, 3)]:
        y, a = rng.normal(size=(n, k)), rng.normal(size=(n, k))
        cases.append(((y, a), a - y, "a random batch of shape (%d, %d)" % (n, k)))
    _expect(nb, "quadratic_loss_grad", cases,
            "the gradient of ½‖y − a‖² with respect to a is a − y, one row per sample (not divided by n)")


# -- binary cross-entropy ---------------------------------------------------------------------

@item(points=1, visible=True)
def test_cross_entropy_table(nb):
    """cross_entropy on the slides' examples (y = 1, a = 0.99 / 0.5 / 0.01): ≈ 0.01 / 0.69 / 4.61"""
    _expect(nb, "cross_entropy", [(_one_sample(a), ref_cross_entropy(*_one_sample(a)),
                                   "one sample y = [[1]], a = [[%s]]" % a) for a in SLIDES_A],
            "J = −(y ln a + (1 − y) ln(1 − a)); with y = 1 this is −ln a (natural logarithm, np.log)")


@item(points=2)
def test_cross_entropy_batch(nb):
    """cross_entropy sums over the outputs and averages over the rows (0/1 and soft labels)"""
    rng = np.random.default_rng(203)
    cases = []
    for n, k, soft in [(8, 3, False), (5, 2, True), (20, 1, False)]:
        y, a = _labels_and_outputs(rng, n, k, soft)
        cases.append(((y, a), ref_cross_entropy(y, a),
                      "a random batch of shape (%d, %d) with %s labels" % (n, k, "soft" if soft else "0/1")))
    _expect(nb, "cross_entropy", cases,
            "sum −(y ln a + (1 − y) ln(1 − a)) over the k outputs of each row (axis=1), then take "
            "the mean over the n rows (not the sum)")


@item(points=2)
def test_cross_entropy_extreme(nb):
    """cross_entropy is finite, without warnings, for outputs exactly 0 or 1 (a clipped to [1e-12, 1 − 1e-12])"""
    cases = [(np.array([[1.0, 0.0, 1.0, 0.0, 0.5, 0.5]]), np.array([[0.0, 1.0, 1.0, 0.0, 0.0, 1.0]])),
             (np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]))]
    _expect(nb, "cross_entropy", [((y, a), ref_cross_entropy(y, a), "one sample with outputs exactly 0 or 1: y = %s, "
                                   "a = %s" % (y.tolist(), a.tolist())) for y, a in cases],
            "ln 0 = −inf: clip first, a = np.clip(a, EPS, 1 - EPS) with EPS = 1e-12, then take the logs", **CLIPPED)


@item(points=2, visible=True)
def test_cross_entropy_grad_values(nb):
    """cross_entropy_grad returns −(y/a − (1 − y)/(1 − a)) per sample, shape (n, k)"""
    rng = np.random.default_rng(204)
    cases = []
    for n, k, soft in [(7, 3, False), (4, 2, True)]:
        y, a = _labels_and_outputs(rng, n, k, soft)
        cases.append(((y, a), ref_cross_entropy_grad(y, a),
                      "a random batch of shape (%d, %d) with %s labels" % (n, k, "soft" if soft else "0/1")))
    _expect(nb, "cross_entropy_grad", cases,
            "differentiate the cross-entropy with respect to a: −(y/a − (1 − y)/(1 − a)), element-wise "
            "(a − y is the gradient of the quadratic loss, or the δ after the sigmoid — not this)")


@item(points=1)
def test_cross_entropy_grad_extreme(nb):
    """cross_entropy_grad is finite, without warnings, for outputs exactly 0 or 1 (same clipping)"""
    y = np.array([[1.0, 0.0, 1.0, 0.0, 0.5], [0.0, 1.0, 0.5, 1.0, 0.0]])
    a = np.array([[0.0, 1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 1.0, 0.5]])
    _expect(nb, "cross_entropy_grad", [((y, a), ref_cross_entropy_grad(y, a),
                                        "outputs exactly 0 or 1: y = %s, a = %s" % (y.tolist(), a.tolist()))],
            "clip a to [EPS, 1 − EPS] with EPS = 1e-12 before dividing, as in cross_entropy", **CLIPPED)


# -- softmax and categorical cross-entropy ----------------------------------------------------

@item(points=2, visible=True)
def test_softmax_values(nb):
    """softmax works row by row: each row of the result is e^z / Σ e^z and sums to 1"""
    rng = np.random.default_rng(205)
    cases = [(np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]]), "[[1, 2, 3, 4], [0, 0, 0, 0]]"),
             (rng.normal(0, 2, size=(5, 3)), "a random array of shape (5, 3)"),
             (rng.normal(size=(3, 1)), "a random array of shape (3, 1) (one class: all ones)"),
             (rng.normal(0, 2, size=(4, 4)), "a random array of shape (4, 4)")]
    _expect(nb, "softmax", [((z,), ref_softmax(z), case) for z, case in cases],
            "exponentiate, then divide by the sum over each row: np.sum(..., axis=1, keepdims=True)")


@item(points=2)
def test_softmax_extreme(nb):
    """softmax is stable for |z| up to 1e4: no overflow warning, no nan"""
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4 + 1], [1000.0, 1000.5, 999.0], [-800.0, -801.0, -799.0]])
    _expect(nb, "softmax", [((z,), ref_softmax(z), "rows with |z| up to 1e4")],
            "subtract each row's maximum before np.exp (z.max(axis=1, keepdims=True)): the result is "
            "the same, and no exponent is positive")


@item(points=2, visible=True)
def test_categorical_cross_entropy_values(nb):
    """categorical_cross_entropy: −Σ y ln a per sample, averaged over the rows (one-hot and soft labels)"""
    rng = np.random.default_rng(206)
    cases = []
    for n, k in [(4, 3), (9, 10)]:
        y, a = _one_hot(rng, n, k), ref_softmax(rng.normal(0, 2, size=(n, k)))
        cases.append(((y, a), ref_categorical_cross_entropy(y, a),
                      "%d samples, %d classes, one-hot labels, softmax outputs" % (n, k)))
    y, a = np.array([[0.2, 0.8], [0.5, 0.5]]), np.array([[0.3, 0.7], [0.9, 0.1]])
    cases.append(((y, a), ref_categorical_cross_entropy(y, a), "soft labels y = %s, a = %s" % (y.tolist(), a.tolist())))
    y = rng.dirichlet(np.ones(5), size=6)
    a = ref_softmax(rng.normal(0, 2, size=(6, 5)))
    cases.append(((y, a), ref_categorical_cross_entropy(y, a), "6 samples, 5 classes, soft labels (rows sum to 1)"))
    _expect(nb, "categorical_cross_entropy", cases,
            "per sample −Σ_j y_j ln a_j (sum over axis=1) — every y_j times ln a_j, not only the largest label — "
            "then the mean over the n rows (not the sum)")


@item(points=1)
def test_categorical_cross_entropy_extreme(nb):
    """categorical_cross_entropy is finite, without warnings, when outputs are exactly 0 (a clipped at 1e-12)"""
    cases = [(np.array([[0.0, 1.0, 0.0]]), np.array([[0.5, 0.0, 0.5]])),
             (np.array([[1.0, 0.0, 0.0]]), np.array([[1.0, 0.0, 0.0]])),
             (np.array([[0.5, 0.5, 0.0]]), np.array([[1.0, 0.0, 0.0]]))]
    _expect(nb, "categorical_cross_entropy",
            [((y, a), ref_categorical_cross_entropy(y, a), "one sample with outputs exactly 0: y = %s, a = %s"
              % (y.tolist(), a.tolist())) for y, a in cases],
            "clip a from below at EPS = 1e-12 before np.log: a correct class at 0 then costs "
            "−ln 1e-12 ≈ 27.6, and a wrong class at 0 costs 0 · ln EPS = 0 instead of nan", **CLIPPED)


# -- the output layer's delta -----------------------------------------------------------------

@item(points=2, visible=True)
def test_output_delta_values(nb):
    """output_delta(y, z) = σ(z) − y for sigmoid outputs with cross-entropy"""
    rng = np.random.default_rng(207)
    cases = [(np.array([[1.0]]), np.array([[0.0]]), "y = [[1]], z = [[0]] (δ = 0.5 − 1)"),
             (rng.integers(0, 2, size=(6, 3)).astype(float), rng.normal(0, 2, size=(6, 3)),
              "random 0/1 labels and z of shape (6, 3)")]
    _expect(nb, "output_delta", [((y, z), ref_output_delta(y, z), case) for y, z, case in cases],
            "δ = ∇_a C ⊙ σ'(z) simplifies to σ(z) − y: the σ'(z) cancels, don't multiply by it again")


@item(points=1)
def test_output_delta_saturated(nb):
    """output_delta is exactly σ(z) − y (±1 when badly wrong) where the sigmoid saturates"""
    z = np.array([[40.0, -40.0, 800.0, -800.0, 1e4, -1e4]])
    ys = (np.array([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]]))
    _expect(nb, "output_delta", [((y, z), ref_output_delta(y, z), "saturated z = %s with y = %s"
                                  % (z.tolist(), y.tolist())) for y in ys],
            "return sigmoid(z) - y directly: cross_entropy_grad(y, σ(z)) · σ'(z) gives 0 where σ(z) "
            "rounds to 0 or 1, instead of ±1")


# -- mutation ---------------------------------------------------------------------------------

# What an argument becomes when modified in place: (argument name, its value afterwards, misconception).
IN_PLACE = [
    ("a", lambda a: np.clip(a, EPS, 1 - EPS), "you clipped a in place (a[a < EPS] = EPS, or np.clip(..., out=a))"),
    ("a", lambda a: np.clip(a, EPS, None), "you clipped a in place from below (a[a < EPS] = EPS)"),
    ("z", lambda z: z - z.max(axis=1, keepdims=True), "you subtracted the row maximum in place (z -= z.max(...))"),
    ("z", lambda z: z - z.max(), "you subtracted the maximum in place (z -= z.max())"),
    ("z", lambda z: ref_softmax(z), "you computed the softmax in the input array itself (z -= ..., np.exp(z, out=z))"),
]


@item(points=2)
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
                             "assignments (a[a < EPS] = ..., z -= m)",
                             known=[[wrong(before), cause] for arg, wrong, cause in IN_PLACE if arg == name])
