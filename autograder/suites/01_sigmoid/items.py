"""Assignment 01 — neurons and activation functions. Each `test_<item>` is one graded item."""
import numpy as np

from autograder.expect import (expect_all_close, expect_close, expect_equal, expect_no_warnings, expect_unchanged,
                               fail, known)
from autograder.items import item
from autograder.worker.program import Formula
from autograder.suites.references import ref_sigmoid

# The assignment: its title, its due date (UTC) and, for 07, its grading settings. Each item declares its
# points with @item below. grading_config.ASSIGNMENTS["01_sigmoid"] overrides any of these for a course.
ASSIGNMENT = {
    "title": "Neurons and activation functions",
    "due": "2026-12-04 23:59:00 UTC",
}

# The notebook's written contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("sigmoid(z) = 1 / (1 + e^(−z)), element-wise", ["sigmoid_values", "sigmoid_shapes"]),
    ("sigmoid works for scalars and returns a scalar (σ(0) = 0.5)", ["sigmoid_values", "sigmoid_shapes"]),
    ("sigmoid works for arrays of any shape and returns the same shape", ["sigmoid_shapes"]),
    ("sigmoid is stable for |z| up to 1e4: no overflow (no numpy warning), no nan", ["sigmoid_extreme"]),
    ("sigmoid_prime(z) = σ(z)(1 − σ(z)), element-wise, stable for extreme z", ["sigmoid_prime_values"]),
    ("relu(z) = max(0, z), element-wise, any shape", ["relu_values"]),
    ("relu_prime(z) = 1 for z > 0 and 0 for z ≤ 0, with relu_prime(0) = 0.0 by convention", ["relu_prime_values"]),
    ("relu and relu_prime return floats (1.0/0.0), not booleans", ["relu_values", "relu_prime_values"]),
    ("neuron(x, w, b, activation) = activation(w·x + b) for one sample x of shape (d,), any activation",
     ["neuron_single"]),
    ("neuron on a batch X of shape (n, d) returns one output per row (X @ w + b)", ["neuron_batch"]),
    ("and_gate(X) is the slides' AND neuron (w = (1, 1, 1), b = −2.5, sigmoid) on each row: the table's values",
     ["and_table"]),
    ("circle_features maps rows (x, y) to rows (x, y, x², y²)", ["circle_features"]),
    ("circle_classify(X, r) is a boolean array, True inside the circle of radius r (x² + y² − r² < 0)",
     ["circle_rule"]),
    ("circle_classify's radius r defaults to 1.0", ["circle_rule"]),
    ("functions return new arrays and never modify their inputs",
     ["sigmoid_shapes", "relu_values", "relu_prime_values", "circle_features"]),
]


# Known misconceptions: per function, (what the student did, the wrong answer it gives on the same arguments).
MISCONCEPTIONS = {
    "sigmoid": [
        ("this is σ(−z) = 1 − σ(z): the sign of the exponent is flipped (1/(1 + e^z)), or the two branches of the "
         "stable form are swapped", lambda z: ref_sigmoid(-np.asarray(z, dtype=float))),
        ("you used 1/(1 + e^(−|z|)) for every z: where z < 0 the stable form is e^z/(1 + e^z)",
         lambda z: 1 / (1 + np.exp(-np.abs(np.asarray(z, dtype=float))))),
        ("you returned the derivative σ(z)(1 − σ(z)), not σ(z)", lambda z: ref_sigmoid(z) * (1 - ref_sigmoid(z))),
        ("you computed tanh(z), not the logistic sigmoid", lambda z: np.tanh(z)),
    ],
    "sigmoid_prime": [
        ("this is σ(z)·(1 − z): you multiplied by 1 − z instead of 1 − σ(z)",
         lambda z: ref_sigmoid(z) * (1 - np.asarray(z))),
        ("this is z·(1 − z): the formula σ(1 − σ) takes σ(z), not z", lambda z: np.asarray(z) * (1 - np.asarray(z))),
        ("you returned σ(z) itself, not its derivative", lambda z: ref_sigmoid(z)),
        ("this is 1 − σ(z): the factor σ(z) is missing", lambda z: 1 - ref_sigmoid(z)),
    ],
    "relu": [
        ("you used np.max (the largest entry of z) instead of np.maximum (element-wise)",
         lambda z: np.full(np.shape(z), max(0.0, float(np.max(z))))),
        ("you returned the derivative (1 where z > 0), not max(0, z)", lambda z: (np.asarray(z) > 0).astype(float)),
        ("this is min(0, z): the comparison is the wrong way round", lambda z: np.minimum(0.0, z)),
        ("you returned |z|: negative inputs must give 0", lambda z: np.abs(z)),
    ],
    "relu_prime": [
        ("you returned the comparison z > 0 itself (booleans or integers), not the floats 1.0 and 0.0",
         lambda z: (np.asarray(z) > 0).astype(float)),
        ("relu_prime(0) is 0.0 by the notebook's convention: you used z >= 0", lambda z: (np.asarray(z) >= 0) * 1.0),
        ("you returned relu(z) = max(0, z), not its derivative", lambda z: np.maximum(0.0, z)),
    ],
    "neuron": [
        ("you returned w·x + b without applying the activation", lambda x, w, b, f: x @ w + b),
        ("you applied the activation before adding the bias: activation(w·x) + b", lambda x, w, b, f: f(x @ w) + b),
        ("you left out the bias b", lambda x, w, b, f: f(x @ w)),
        ("you subtracted the bias: activation(w·x − b)", lambda x, w, b, f: f(x @ w - b)),
        ("you computed np.dot(w, x), which for a batch multiplies w with the columns of X and mixes the samples; "
         "with samples as rows each output is X @ w (one per row)", lambda x, w, b, f: f(w @ x + b)),
    ],
    "and_gate": [
        ("you returned w·x + b, without the sigmoid", lambda X: X @ np.ones(3) - 2.5),
        ("you rounded to 0/1 (a hard AND): the table lists the sigmoid's outputs",
         lambda X: (X @ np.ones(3) - 2.5 > 0).astype(float)),
        ("b = +2.5: the bias's sign is flipped", lambda X: ref_sigmoid(X @ np.ones(3) + 2.5)),
    ],
    "circle_features": [
        ("you returned only (x², y²): keep x and y as the first two columns", lambda X: X ** 2),
        ("the columns are in the wrong order: (x², y², x, y) instead of (x, y, x², y²)",
         lambda X: np.column_stack([X ** 2, X])),
        ("you doubled x and y (2x, 2y) instead of squaring them", lambda X: np.column_stack([X, 2 * X])),
    ],
}

# Known misconceptions that show as numpy warnings: [warning text, wrong answer (None: any), misconception].
OVERFLOW = ("overflow encountered in exp", None,
            "e^(−z) was computed for z < −709 and overflowed: either the literal 1/(1 + np.exp(−z)), or "
            "np.where(z >= 0, 1/(1 + np.exp(−z)), …), which evaluates both branches on every z")
UNSTABLE = {"sigmoid": [OVERFLOW],
            "sigmoid_prime": [OVERFLOW[:2] + (OVERFLOW[2] + " (in sigmoid_prime, or in the sigmoid it calls)",)]}


def _float_tolerance(value):
    """The comparison's tolerance for a result of this dtype: float32 (a float array, which the contract allows)
    carries ~7 digits, so σ(1 − σ) computed from a float32 σ is compared at float32's precision."""
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype in (np.float32, np.float16):
        eps = float(np.finfo(value.dtype).eps)
        return {"rtol": 100 * eps, "atol": 2 * eps}
    return {}


@item(points=2, visible=True)
def test_sigmoid_values(nb):
    """sigmoid on small values, including 0 → 0.5"""
    z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    expect_all_close([["[-2, -1, 0, 1, 2]", nb.sigmoid(z), ref_sigmoid(z), known(MISCONCEPTIONS, "sigmoid", z)],
                      ["the scalar 0.0", nb.sigmoid(0.0), 0.5, known(MISCONCEPTIONS, "sigmoid", 0.0)]],
                     "sigmoid", hint="σ(z) = 1 / (1 + e^(−z)), applied element-wise; σ(0) = 1/2")


@item(points=1)
def test_sigmoid_shapes(nb):
    """sigmoid keeps the input's shape (scalars, 2-D, 3-D) and does not modify it"""
    rng = np.random.default_rng(101)
    cases, calls = [], []
    for shape in [(7, 3), (2, 5, 4), (1,)]:
        z = rng.normal(0, 3, size=shape)
        call = nb.inspect("sigmoid", z)
        cases.append(["a random array of shape %s" % (shape,), call.value, ref_sigmoid(z),
                      known(MISCONCEPTIONS, "sigmoid", z)])
        calls.append((z, call))
    expect_all_close(cases, "sigmoid", hint="use numpy operations, which work element-wise on any shape")
    for z, call in calls:
        expect_unchanged(z, call.args[0], "sigmoid", "z")
    if np.ndim(nb.sigmoid(3.0)) != 0:
        fail("sigmoid", "the scalar 3.0", "expected a scalar back, got shape %s" % (np.shape(nb.sigmoid(3.0)),),
             "don't wrap the input in a list or array of extra dimensions")


@item(points=2)
def test_sigmoid_extreme(nb):
    """sigmoid is stable for |z| up to 1e4: no overflow warning, no nan"""
    z = np.array([-1e4, -1000.0, -745.5, -100.0, -30.0, 30.0, 100.0, 745.5, 1000.0, 1e4])
    call = nb.inspect("sigmoid", z)
    hint = "e^(−z) overflows for z < −709; for negative z use the equivalent e^z / (1 + e^z)"
    expect_no_warnings(call, "sigmoid", "large |z| (up to 1e4)", hint, known=UNSTABLE["sigmoid"])
    expect_close(call.value, ref_sigmoid(z), "sigmoid", "large |z| (up to 1e4)", hint,
                 known=known(MISCONCEPTIONS, "sigmoid", z))


@item(points=2, after=("sigmoid_values", "sigmoid_shapes", "sigmoid_extreme"))
def test_sigmoid_prime_values(nb):
    """sigmoid_prime(z) = σ(z)(1 − σ(z)), including extreme z"""
    rng = np.random.default_rng(102)
    z = np.concatenate([rng.normal(0, 4, size=20), [0.0, -1e4, 1e4, -800.0, 800.0]])
    call = nb.inspect("sigmoid_prime", z)
    s = ref_sigmoid(z)
    hint = "the derivative of the sigmoid is σ(z)·(1 − σ(z)); differentiate σ, not z"
    expect_no_warnings(call, "sigmoid_prime", "random and extreme z", hint, known=UNSTABLE["sigmoid_prime"])
    expect_close(call.value, s * (1 - s), "sigmoid_prime", "random and extreme z", hint,
                 known=known(MISCONCEPTIONS, "sigmoid_prime", z), **_float_tolerance(call.value))


@item(points=1, visible=True)
def test_relu_values(nb):
    """relu(z) = max(0, z) element-wise, any shape"""
    z = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 7.25]])
    call = nb.inspect("relu", z)
    expect_close(call.value, np.maximum(0, z), "relu", "a 2×3 array with negatives, 0 and positives",
                 hint="np.maximum(0, z) works element-wise (Python's max does not)", float_dtype=True,
                 known=known(MISCONCEPTIONS, "relu", z))
    expect_unchanged(z, call.args[0], "relu", "z")


@item(points=2)
def test_relu_prime_values(nb):
    """relu_prime is 1.0 for z > 0 and 0.0 for z ≤ 0 (float, the notebook's convention at 0)"""
    rng = np.random.default_rng(103)
    z = np.concatenate([rng.normal(0, 2, size=17), [0.0, -0.0, 1e-12, -1e-12]]).reshape(3, 7)
    call = nb.inspect("relu_prime", z)
    expect_close(call.value, (z > 0).astype(float), "relu_prime", "random z including 0",
                 hint="return floats 1.0 / 0.0 (not booleans), and 0.0 at z = 0", float_dtype=True,
                 known=known(MISCONCEPTIONS, "relu_prime", z))
    expect_unchanged(z, call.args[0], "relu_prime", "z",
                     "return a new array, e.g. (z > 0).astype(float); `z[z > 0] = 1` overwrites the caller's z")


# Activations handed to the student's neuron, as formulas (the slides' σ: inputs here are small).
ACTIVATIONS = {"identity": Formula.trace(lambda z: z), "tanh": Formula.trace(np.tanh),
               "sigmoid": Formula.trace(lambda z: 1 / (1 + np.exp(-z)))}
NEURON_HINT = "compute z = w·x + b (x @ w for rows of x), then return activation(z)"


def _neuron_cases(nb, x, w, b, case):
    return [["%s with activation=%s" % (case, name), nb.neuron(x, w, b, f), f(x @ w + b),
             known(MISCONCEPTIONS, "neuron", x, w, b, f)] for name, f in ACTIVATIONS.items()]


@item(points=1, visible=True)
def test_neuron_single(nb):
    """neuron(x, w, b, activation) = activation(w·x + b) for one sample"""
    expect_all_close(_neuron_cases(nb, np.array([1.0, 0.0, 1.0]), np.array([1.0, 1.0, 1.0]), -2.5,
                                   "one sample x=(1,0,1), w=(1,1,1), b=−2.5"), "neuron", NEURON_HINT)


@item(points=2)
def test_neuron_batch(nb):
    """neuron on a batch: one output per row of X"""
    rng = np.random.default_rng(104)
    # A square batch first: there np.dot(w, X) runs (and is wrong) instead of failing on the shapes.
    X, w = rng.normal(size=(4, 4)), rng.normal(size=4)
    expect_all_close(_neuron_cases(nb, X, w, 0.3, "a batch X of shape (4, 4)"), "neuron", NEURON_HINT)
    X, w = rng.normal(size=(9, 4)), rng.normal(size=4)
    expect_all_close(_neuron_cases(nb, X, w, 0.3, "a batch X of shape (9, 4)"), "neuron", NEURON_HINT)


AND_INPUTS = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [1, 0, 0], [1, 0, 1], [1, 1, 1]], float)
AND_TABLE = np.array([0.076, 0.182, 0.182, 0.378, 0.182, 0.378, 0.622])


@item(points=1, visible=True, after=("neuron_single", "neuron_batch", "sigmoid_values"))
def test_and_table(nb):
    """and_gate reproduces the slides' AND table (w=(1,1,1), b=−2.5)"""
    expect_close(nb.and_gate(AND_INPUTS), AND_TABLE, "and_gate", "the 7 rows of the slides' table",
                 hint="use neuron with w = (1, 1, 1), b = −2.5 and the sigmoid", rtol=0, atol=5e-4,
                 known=known(MISCONCEPTIONS, "and_gate", AND_INPUTS))


@item(points=1)
def test_circle_features(nb):
    """circle_features maps rows (x, y) to (x, y, x², y²)"""
    rng = np.random.default_rng(105)
    X = rng.uniform(-2, 2, size=(11, 2))
    call = nb.inspect("circle_features", X)
    expect_close(call.value, np.column_stack([X, X ** 2]), "circle_features", "11 random points",
                 hint="stack the columns x, y, x², y² side by side (np.column_stack)",
                 known=known(MISCONCEPTIONS, "circle_features", X))
    expect_unchanged(X, call.args[0], "circle_features", "X")


@item(points=1, after=("circle_features",))
def test_circle_rule(nb):
    """circle_classify marks points inside the circle of radius r (w=(0,0,1,1), bias −r²); r defaults to 1"""
    rng = np.random.default_rng(106)
    hint = "positive class when x² + y² − r² < 0; return a boolean array"
    for r in (1.0, 0.5, 2.0, None):
        radius = 1.0 if r is None else r
        X = rng.uniform(-2.5 * radius, 2.5 * radius, size=(50, 2))
        dist = np.hypot(X[:, 0], X[:, 1])
        X = X[np.abs(dist - radius) > 1e-3 * radius]
        inside = dist[np.abs(dist - radius) > 1e-3 * radius] < radius
        if r is None:
            expect_equal(nb.circle_classify(X), inside, "circle_classify",
                         "points around the unit circle, called without r", "r defaults to 1.0: "
                         "keep the signature circle_classify(X, r=1.0)")
        else:
            expect_equal(nb.circle_classify(X, r), inside, "circle_classify",
                         "points around a circle of radius %s" % r, hint)
