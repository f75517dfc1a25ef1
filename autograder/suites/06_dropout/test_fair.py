"""06_dropout: correct answers in other forms get full marks, the new case catches its bug, every failing case
is summarized and failures name the misconception (in-process, on the reference notebook with one function
replaced)."""
import pytest


from autograder.tests.test_fair_grading import failed_items, graded

A = "06_dropout"


CORRECT = {
    "list-pair-and-keep-below": "def dropout_forward(A, p, rng, train=True):\n    if p < 0 or p >= 1:\n"
                                "        raise ValueError('bad p %r' % p)\n    if not train:\n"
                                "        return [np.array(A, copy=True), np.ones(A.shape)]\n"
                                "    mask = (rng.random(A.shape) < 1 - p) * (1.0 / (1 - p))\n"
                                "    return [A * mask, mask]\n",
    "deepcopy-in-place-tuple": "import copy\ndef weight_scaling_inference(params, p):\n"
                               "    out = copy.deepcopy(params)\n"
                               "    for layer in out[1:]:\n        layer['W'] *= 1 - p\n    return tuple(out)\n",
    "float32-gradients": "def dropout_backward(dout, mask):\n    return (dout * mask).astype(np.float32)\n"
                         "def weight_scaling_inference(params, p):\n"
                         "    return [{'W': (l['W'] * (1 - p if i else 1)).astype("
                         "np.float32), 'b': l['b'].astype(np.float32)} for i, l in enumerate(params)]\n",
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_a_correct_variant_gets_full_marks(name):
    results = graded(A, CORRECT[name])
    assert all(r.passed for r in results.values()), [(r.item, r.message) for r in results.values() if not r.passed]


def test_one_mask_row_broadcast_over_the_batch_fails_the_rate_item():
    results = graded(A, "def dropout_forward(A, p, rng, train=True):\n    if not 0 <= p < 1:\n"
                        "        raise ValueError(p)\n    if not train:\n        return A.copy(), np.ones_like(A)\n"
                        "    mask = (rng.random(A.shape[-1]) >= p) / (1 - p) * np.ones_like(A)\n"
                        "    return A * mask, mask\n")
    assert failed_items(results) == {"dropout_forward_rate"}
    assert "dropped exactly the same units" in results["dropout_forward_rate"].message
    assert "Likely cause: you drew one mask row" in results["dropout_forward_rate"].message


@pytest.mark.parametrize("code,item,cause", [
    ("def dropout_forward(A, p, rng, train=True):\n    if not 0 <= p < 1:\n        raise ValueError(p)\n"
     "    if not train:\n        return A * (1 - p), np.full(A.shape, 1 - p)\n"
     "    mask = (rng.random(A.shape) >= p) / (1 - p)\n    return A * mask, mask\n",
     "dropout_forward_identity", "in every failing case: you scaled by the keep probability 1 − p at test time"),
    ("def dropout_forward(A, p, rng, train=True):\n    if not 0 <= p < 1:\n        raise ValueError(p)\n"
     "    if not train:\n        return A.copy(), np.ones_like(A)\n"
     "    mask = (rng.random(A.shape) < p) / (1 - p)\n    return A * mask, mask\n",
     "dropout_forward_rate", "you kept units with probability p instead of 1 − p"),
    ("def dropout_backward(dout, mask):\n    return dout * (mask != 0)\n", "dropout_backward_mask",
     "without the mask's scale"),
    ("def weight_scaling_inference(params, p):\n"
     "    return [{'W': l['W'] * (1 - p), 'b': l['b'].copy()} for l in params]\n",
     "weight_scaling_inference", "you also scaled layer 0's W"),
    ("def weight_scaling_inference(params, p):\n    for l in params[1:]:\n        l['W'] *= 1 - p\n    return params\n",
     "dropout_no_mutation", "you multiplied the input's arrays in place"),
    ("def dropout_forward(A, p, rng, train=True):\n    assert 0 <= p < 1\n    if not train:\n"
     "        return A.copy(), np.ones_like(A)\n    mask = (rng.random(A.shape) >= p) / (1 - p)\n"
     "    return A * mask, mask\n",
     "dropout_forward_invalid_p", "you used assert"),
])
def test_a_known_misconception_is_named(code, item, cause):
    message = graded(A, code)[item].message
    assert "Likely cause" in message and cause in message, message


def test_the_correct_answer_is_never_diagnosed():
    assert all(r.passed and not r.message for r in graded(A).values())
