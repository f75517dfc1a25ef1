"""Assignment 01 — neurons and activation functions. Each `test_<item>` is one graded item."""
import numpy as np

from autograder.expect import expect_close, expect_equal, expect_no_warnings, expect_unchanged, fail
from autograder.items import visible
from autograder.worker.program import Formula


def ref_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


@visible
def test_sigmoid_values(nb):
    """sigmoid on small values, including 0 → 0.5"""
    z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    expect_close(nb.sigmoid(z), ref_sigmoid(z), "sigmoid", "[-2, -1, 0, 1, 2]",
                 hint="σ(z) = 1 / (1 + e^(−z)), applied element-wise")
    expect_close(nb.sigmoid(0.0), 0.5, "sigmoid", "the scalar 0.0", hint="σ(0) = 1/2")


def test_sigmoid_shapes(nb):
    """sigmoid keeps the input's shape (scalars, 2-D, 3-D) and does not modify it"""
    rng = np.random.default_rng(101)
    for shape in [(7, 3), (2, 5, 4), (1,)]:
        z = rng.normal(0, 3, size=shape)
        call = nb.inspect("sigmoid", z)
        expect_close(call.value, ref_sigmoid(z), "sigmoid", "a random array of shape %s" % (shape,),
                     hint="use numpy operations, which work element-wise on any shape")
        expect_unchanged(z, call.args[0], "sigmoid", "z")
    if np.ndim(nb.sigmoid(3.0)) != 0:
        fail("sigmoid", "the scalar 3.0", "expected a scalar back, got shape %s" % (np.shape(nb.sigmoid(3.0)),),
             "don't wrap the input in a list or array of extra dimensions")


def test_sigmoid_extreme(nb):
    """sigmoid is stable for |z| up to 1e4: no overflow warning, no nan"""
    z = np.array([-1e4, -1000.0, -745.5, -100.0, -30.0, 30.0, 100.0, 745.5, 1000.0, 1e4])
    call = nb.inspect("sigmoid", z)
    hint = "e^(−z) overflows for z < −709; for negative z use the equivalent e^z / (1 + e^z)"
    expect_no_warnings(call, "sigmoid", "large |z| (up to 1e4)", hint)
    expect_close(call.value, ref_sigmoid(z), "sigmoid", "large |z| (up to 1e4)", hint)


def test_sigmoid_prime_values(nb):
    """sigmoid_prime(z) = σ(z)(1 − σ(z)), including extreme z"""
    rng = np.random.default_rng(102)
    z = np.concatenate([rng.normal(0, 4, size=20), [0.0, -1e4, 1e4, -800.0, 800.0]])
    call = nb.inspect("sigmoid_prime", z)
    s = ref_sigmoid(z)
    hint = "the derivative of the sigmoid is σ(z)·(1 − σ(z)); differentiate σ, not z"
    expect_no_warnings(call, "sigmoid_prime", "random and extreme z", hint)
    expect_close(call.value, s * (1 - s), "sigmoid_prime", "random and extreme z", hint)


@visible
def test_relu_values(nb):
    """relu(z) = max(0, z) element-wise, any shape"""
    z = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 7.25]])
    call = nb.inspect("relu", z)
    expect_close(call.value, np.maximum(0, z), "relu", "a 2×3 array with negatives, 0 and positives",
                 hint="np.maximum(0, z) works element-wise (Python's max does not)", float_dtype=True)
    expect_unchanged(z, call.args[0], "relu", "z")


def test_relu_prime_values(nb):
    """relu_prime is 1.0 for z > 0 and 0.0 for z ≤ 0 (float, the notebook's convention at 0)"""
    rng = np.random.default_rng(103)
    z = np.concatenate([rng.normal(0, 2, size=17), [0.0, -0.0, 1e-12, -1e-12]]).reshape(3, 7)
    expect_close(nb.relu_prime(z), (z > 0).astype(float), "relu_prime", "random z including 0",
                 hint="return floats 1.0 / 0.0 (not booleans), and 0.0 at z = 0", float_dtype=True)


# Activations handed to the student's neuron, as formulas (the slides' σ: inputs here are small).
ACTIVATIONS = {"identity": Formula.trace(lambda z: z), "tanh": Formula.trace(np.tanh),
               "sigmoid": Formula.trace(lambda z: 1 / (1 + np.exp(-z)))}


def _check_neuron(nb, x, w, b, case):
    for name, f in ACTIVATIONS.items():
        got = nb.neuron(x, w, b, f)
        expect_close(got, f(x @ w + b), "neuron", "%s with activation=%s" % (case, name),
                     hint="compute z = w·x + b (x @ w for rows of x), then return activation(z)")


@visible
def test_neuron_single(nb):
    """neuron(x, w, b, activation) = activation(w·x + b) for one sample"""
    _check_neuron(nb, np.array([1.0, 0.0, 1.0]), np.array([1.0, 1.0, 1.0]), -2.5,
                  "one sample x=(1,0,1), w=(1,1,1), b=−2.5")


def test_neuron_batch(nb):
    """neuron on a batch: one output per row of X"""
    rng = np.random.default_rng(104)
    X, w = rng.normal(size=(9, 4)), rng.normal(size=4)
    _check_neuron(nb, X, w, 0.3, "a batch X of shape (9, 4)")


AND_INPUTS = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [1, 0, 0], [1, 0, 1], [1, 1, 1]], float)
AND_TABLE = np.array([0.076, 0.182, 0.182, 0.378, 0.182, 0.378, 0.622])


@visible
def test_and_table(nb):
    """and_gate reproduces the slides' AND table (w=(1,1,1), b=−2.5)"""
    expect_close(nb.and_gate(AND_INPUTS), AND_TABLE, "and_gate", "the 7 rows of the slides' table",
                 hint="use neuron with w = (1, 1, 1), b = −2.5 and the sigmoid", rtol=0, atol=5e-4)


def test_circle_features(nb):
    """circle_features maps rows (x, y) to (x, y, x², y²)"""
    rng = np.random.default_rng(105)
    X = rng.uniform(-2, 2, size=(11, 2))
    call = nb.inspect("circle_features", X)
    expect_close(call.value, np.column_stack([X, X ** 2]), "circle_features", "11 random points",
                 hint="stack the columns x, y, x², y² side by side (np.column_stack)")
    expect_unchanged(X, call.args[0], "circle_features", "X")


def test_circle_rule(nb):
    """circle_classify marks points inside the circle of radius r (w=(0,0,1,1), bias −r²)"""
    rng = np.random.default_rng(106)
    for r in (1.0, 0.5, 2.0):
        X = rng.uniform(-2.5 * r, 2.5 * r, size=(50, 2))
        dist = np.hypot(X[:, 0], X[:, 1])
        X = X[np.abs(dist - r) > 1e-3 * r]
        got = nb.circle_classify(X, r)
        expect_equal(got, dist[np.abs(dist - r) > 1e-3 * r] < r, "circle_classify", "points around a circle "
                     "of radius %s" % r, hint="positive class when x² + y² − r² < 0; return a boolean array")
