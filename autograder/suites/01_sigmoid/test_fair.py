"""01_sigmoid: correct answers in other forms get full marks, the new cases catch their bugs, and failures
name the misconception (in-process, on the reference notebook with one function replaced)."""
import pytest


from autograder.tests.test_fair_grading import failed_items, graded

A = "01_sigmoid"


CORRECT = {
    "float32": "def sigmoid(z):\n    z = np.asarray(z, dtype=np.float32)\n    e = np.exp(-np.abs(z))\n"
               "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(np.float32)\n",
    "expit": "from scipy.special import expit\ndef sigmoid(z):\n    return expit(z)\n",
    "piecewise": "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    return np.piecewise(z, [z >= 0, z < 0], "
                 "[lambda v: 1 / (1 + np.exp(-v)), lambda v: np.exp(v) / (1 + np.exp(v))])\n",
    "python-float-for-scalars": "import math\n_s = sigmoid\ndef sigmoid(z):\n    if np.isscalar(z):\n"
                                "        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))\n"
                                "    return _s(z)\n",
    "in-place-on-a-copy": "def sigmoid(z):\n    z = np.array(z, dtype=float)\n    neg, e = z < 0, np.exp(-np.abs(z))\n"
                          "    z[~neg] = 1 / (1 + e[~neg]); z[neg] = e[neg] / (1 + e[neg])\n    return z\n"
                          "def relu_prime(z):\n    d = np.array(z, dtype=float)\n    d[z > 0] = 1.0; d[z <= 0] = 0.0\n"
                          "    return d\n",
    "logaddexp-and-float32-relu": "def sigmoid(z):\n    return np.exp(-np.logaddexp(0, -np.asarray(z, dtype=float)))\n"
                                  "def relu(z):\n    return np.maximum(z, 0).astype(np.float32)\n"
                                  "def relu_prime(z):\n    return np.heaviside(z, 0.0)\n",
    "integer-circle-labels": "def circle_classify(X, r=1.0):\n    return (circle_features(X) @ np.array([0, 0, 1, 1]) "
                             "- r ** 2 < 0).astype(int)\n",
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_a_correct_variant_gets_full_marks(name):
    results = graded(A, CORRECT[name])
    assert all(r.passed for r in results.values()), [(r.item, r.message) for r in results.values() if not r.passed]


def test_circle_classify_without_the_default_radius_fails_only_circle_rule():
    results = graded(A, "def circle_classify(X, r):\n    return np.hypot(X[:, 0], X[:, 1]) < r\n")
    assert failed_items(results) == {"circle_rule"}
    assert "missing 1 required positional argument: 'r'" in results["circle_rule"].message


def test_relu_prime_overwriting_z_fails_relu_prime_values():
    results = graded(A, "def relu_prime(z):\n    z[z > 0] = 1.0\n    z[z <= 0] = 0.0\n    return z\n")
    assert failed_items(results) == {"relu_prime_values"}
    assert "it modified z in place" in results["relu_prime_values"].message


@pytest.mark.parametrize("code,item,cause", [
    ("def sigmoid_prime(z):\n    return sigmoid(z) * (1 - z)\n", "sigmoid_prime_values", "1 − z instead of 1 − σ(z)"),
    ("def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    return np.where(z >= 0, 1 / (1 + np.exp(-z)), "
     "np.exp(z) / (1 + np.exp(z)))\n", "sigmoid_extreme", "evaluates both branches"),
    ("def sigmoid(z):\n    return 1 / (1 + np.exp(np.asarray(z, dtype=float)))\n", "sigmoid_values",
     "the sign of the exponent is flipped"),
    ("def relu_prime(z):\n    return (z >= 0).astype(float)\n", "relu_prime_values", "you used z >= 0"),
    ("def neuron(x, w, b, activation):\n    return activation(x @ w) + b\n", "neuron_single",
     "before adding the bias"),
    ("def neuron(x, w, b, activation):\n    return activation(np.dot(w, x) + b)\n", "neuron_batch",
     "np.dot(w, x)"),
    ("def circle_features(X):\n    return np.column_stack([X ** 2, X])\n", "circle_features", "wrong order"),
])
def test_a_known_misconception_is_named(code, item, cause):
    message = graded(A, code)[item].message
    assert "Likely cause" in message and cause in message, message


def test_and_gate_on_a_broken_neuron_says_to_fix_neuron_first():
    results = graded(A, "def neuron(x, w, b, activation):\n    return activation(np.dot(w, x) + b)\n")
    assert failed_items(results) == {"neuron_batch", "and_table"}
    assert results["and_table"].message.startswith("Item neuron_batch, which this one builds on, fails too")


def test_every_failing_neuron_case_is_summarized():
    message = graded(A, "def neuron(x, w, b, activation):\n    return x @ w + b\n")["neuron_single"].message
    assert message.startswith("`neuron` fails 2 of 3 cases") and "without applying the activation" in message


def test_the_correct_answer_is_never_diagnosed():
    assert all(r.passed and not r.message for r in graded(A).values())
