"""02_cross_entropy: correct answers in other forms get full marks, every failing case is summarized and
failures name the misconception (in-process, on the reference notebook with one function replaced)."""
import pytest


from autograder.tests.test_fair_grading import graded

A = "02_cross_entropy"


CORRECT = {
    "float-and-float32": "def quadratic_loss(y, a):\n"
                         "    return np.float32(0.5 * np.mean(np.sum((y - a) ** 2, axis=1)))\n"
                         "def softmax(z):\n    z = np.asarray(z, np.float32)\n"
                         "    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
                         "    return e / e.sum(axis=1, keepdims=True)\n",
    "scipy": "from scipy.special import softmax as _sm, xlogy, expit\ndef softmax(z):\n    return _sm(z, axis=1)\n"
             "def categorical_cross_entropy(y, a):\n    return -np.sum(xlogy(y, np.maximum(a, EPS))) / len(y)\n"
             "def output_delta(y, z):\n    return expit(z) - y\n",
    "in-place-on-copies": "def cross_entropy(y, a):\n    a = a.copy(); a[a < EPS] = EPS; a[a > 1 - EPS] = 1 - EPS\n"
                          "    return -np.mean(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1))\n"
                          "def softmax(z):\n    z = z.copy(); z -= z.max(axis=1, keepdims=True); np.exp(z, out=z)\n"
                          "    z /= z.sum(axis=1, keepdims=True)\n    return z\n",
    "where-clipping-and-simplified-grad": "def cross_entropy_grad(y, a):\n"
                                          "    a = np.where(a < EPS, EPS, np.where(a > 1 - EPS, "
                                          "1 - EPS, a))\n    return (a - y) / (a * (1 - a))\n",
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_a_correct_variant_gets_full_marks(name):
    results = graded(A, CORRECT[name])
    assert all(r.passed for r in results.values()), [(r.item, r.message) for r in results.values() if not r.passed]


ARGMAX = ("def categorical_cross_entropy(y, a):\n    idx = np.argmax(y, axis=1)\n"
          "    return -np.mean(np.log(np.clip(a[np.arange(len(a)), idx], EPS, 1)))\n")


def test_soft_labels_turned_into_argmax_are_named_in_a_summary_of_every_failing_case():
    message = graded(A, ARGMAX)["categorical_cross_entropy_values"].message
    assert message.startswith("`categorical_cross_entropy` fails 2 of 4 cases")
    assert "Likely cause, in every failing case: you turned soft labels into one-hot with argmax" in message


@pytest.mark.parametrize("code,item,cause", [
    ("def quadratic_loss(y, a):\n    return 0.5 * np.sum((y - a) ** 2)\n", "quadratic_loss_batch",
     "you summed over the batch instead of averaging"),
    ("def cross_entropy(y, a):\n    a = np.clip(a, EPS, 1 - EPS)\n    return -np.mean(np.sum(y * np.log(a), axis=1))\n",
     "cross_entropy_batch", "the (1 − y) ln(1 − a) term is missing"),
    ("def cross_entropy(y, a):\n    return -np.mean(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1))\n",
     "cross_entropy_extreme", "a was not clipped"),
    ("def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)\n", "softmax_extreme",
     "without subtracting each row's maximum"),
    ("def softmax(z):\n    e = np.exp(z - z.max())\n    return e / e.sum(axis=1, keepdims=True)\n", "softmax_extreme",
     "one maximum for the whole array"),
    ("def softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n    return e / e.sum()\n", "softmax_values",
     "normalized over the whole array"),
    ("def output_delta(y, z):\n    return (sigmoid(z) - y) * sigmoid_prime(z)\n", "output_delta_values",
     "by σ'(z) again"),
    ("def cross_entropy(y, a):\n    a[a < EPS] = EPS\n    a[a > 1 - EPS] = 1 - EPS\n"
     "    return -np.mean(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1))\n", "inputs_unchanged",
     "you clipped a in place"),
])
def test_a_known_misconception_is_named(code, item, cause):
    message = graded(A, code)[item].message
    assert "Likely cause" in message and cause in message, message


def test_the_correct_answer_is_never_diagnosed():
    assert all(r.passed and not r.message for r in graded(A).values())
