"""Assignment 06 — dropout. Each `test_<item>` is one graded item.

Random generators. The student's functions draw their randomness from a `numpy.random.Generator`
argument. A Generator is not data, so it cannot be sent to the student's process: the items make
it there, with the `default_rng` that the notebook's locked setup cell imports, and pass the handle
back (`_rng`).

Statistics. For a correct implementation the number of units kept among N is Binomial(N, 1 − p).
`keep_bounds` accepts a count within ±5.5 standard deviations of N(1 − p). The exact binomial
probability of falling outside is below 1e-7 for every case checked here (verified in
autograder/suites/06_dropout/test_tensorflow.py), and no item makes more than 4 such checks, so a correct
submission fails an item by bad luck with probability below 1e-6. 5.5 rather than 5 standard
deviations: at 5 one check alone is already ~6e-7. Bugs are far outside (keeping with probability
p instead of 1 − p is off by tens of standard deviations in every case below).
"""
import math

import numpy as np

from autograder.expect import (expect_all_close, expect_inverted_dropout, expect_sequence,
                               expect_shape, expect_structure, expect_unchanged, fail, known)
from autograder.worker.failures import StudentError
from autograder.items import item

# The assignment: its title, its due date (UTC) and, for 07, its grading settings. Each item declares its
# points with @item below. grading_config.ASSIGNMENTS["06_dropout"] overrides any of these for a course.
ASSIGNMENT = {
    "title": "Dropout",
    "due": "2027-01-08 23:59:00 UTC",
}

# The notebook's written contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("dropout_forward(A, p, rng, train) returns the pair (out, mask), both of A's shape",
     ["dropout_forward_values", "dropout_forward_identity"]),
    ("train=True: each unit is dropped (0) or kept and scaled, out = A * mask", ["dropout_forward_values"]),
    ("the mask is a float array holding the scale: 0 (dropped) or 1/(1 − p) (kept)", ["dropout_forward_values"]),
    ("p is the probability of dropping a unit: each unit is kept with probability 1 − p",
     ["dropout_forward_rate"]),
    ("an independent keep indicator for every entry: each sample goes through its own subnetwork",
     ["dropout_forward_rate"]),
    ("p = 0 in training drops nothing: mask all ones, out equals A", ["dropout_forward_values"]),
    ("train=False (test time): out is a copy of A and mask is all ones", ["dropout_forward_identity"]),
    ("p outside [0, 1) raises ValueError", ["dropout_forward_invalid_p"]),
    ("randomness only from the rng argument (never np.random.*): same seed, same mask; other seed, other mask",
     ["dropout_forward_rng"]),
    ("dropout_backward(dout, mask) = dout * mask, with the forward pass's mask (scale included)",
     ["dropout_backward_mask"]),
    ("weight_scaling_inference multiplies the W of layers 1, 2, … by 1 − p; layer 0's W and every b unchanged",
     ["weight_scaling_inference"]),
    ("weight_scaling_inference returns a new list of new dicts", ["weight_scaling_inference"]),
    ("functions never modify their inputs (A, dout, mask, params)", ["dropout_no_mutation"]),
]

Z = 5.5
RATE_CASES = [((3000,), 0.1, 61), ((40, 75), 0.35, 62), ((6, 10, 50), 0.8, 63), ((20, 25, 8), 0.0, 64)]
RNG_HINT = ("draw every random number from the `rng` argument (rng.random, rng.binomial, ...), never from "
            "np.random.* (the global generator) or a generator you create yourself")


def ref_dropout_forward(A, p, rng, train=True):
    """Inverted dropout: (A * mask, mask), mask = 0 (dropped, probability p) or 1/(1 − p) (kept)."""
    if not 0 <= p < 1:
        raise ValueError("p must be in [0, 1), got %r" % (p,))
    A = np.asarray(A, dtype=float)
    if not train:
        return A.copy(), np.ones_like(A)
    mask = (rng.random(A.shape) >= p) / (1 - p)
    return A * mask, mask


def ref_dropout_backward(dout, mask):
    return dout * mask


def ref_weight_scaling_inference(params, p):
    """Hidden units (inputs of layers 1, 2, …) were dropped with probability p: scale those W by 1 − p."""
    return [{"W": layer["W"] * (1 - p) if i > 0 else layer["W"].copy(), "b": layer["b"].copy()}
            for i, layer in enumerate(params)]


TEST_TIME_KEEP = ("you scaled by the keep probability 1 − p at test time (the non-inverted rule): inverted dropout "
                  "already rescaled during training, so at test time the layer does nothing (mask of ones)")
TEST_TIME_SCALE = ("you scaled by 1/(1 − p) at test time: inverted dropout rescales only during training; at test "
                   "time the layer does nothing (mask of ones)")

# Known misconceptions: per function, (what the student did, the wrong answer it gives on the same arguments).
MISCONCEPTIONS = {
    "dropout_forward_test_time": [       # out of dropout_forward(A, p, rng, train=False)
        (TEST_TIME_KEEP, lambda A, p: A * (1 - p)),
        (TEST_TIME_SCALE, lambda A, p: A / (1 - p)),
        ("you scaled A by p at test time: at test time the layer does nothing", lambda A, p: A * p),
    ],
    "dropout_forward_test_time_mask": [  # mask of dropout_forward(A, p, rng, train=False)
        (TEST_TIME_KEEP, lambda A, p: np.full(A.shape, 1 - p)),
        (TEST_TIME_SCALE, lambda A, p: np.full(A.shape, 1 / (1 - p))),
    ],
    "dropout_backward": [
        ("you used the keep indicator (mask != 0) without the mask's scale 1/(1 − p)",
         lambda dout, mask: dout * (mask != 0)),
        ("you applied the scale twice (dout * mask * scale): the mask already holds 1/(1 − p)",
         lambda dout, mask: dout * mask * mask.max()),
        ("you divided by the mask's scale: the gradient is dout * mask",
         lambda dout, mask: dout * (mask != 0) / mask.max()),
        ("you returned dout unchanged: only the kept units pass their gradient", lambda dout, mask: dout),
        ("you returned the mask: multiply it with dout", lambda dout, mask: mask),
    ],
    "weight_scaling_inference": [        # one array of one layer: (the input's array, p, layer, key)
        ("you multiplied by p, the drop probability: the rule scales by the keep probability 1 − p",
         lambda value, p, layer, key: value * p if key == "W" and layer > 0 else value),
        ("you also scaled layer 0's W: its inputs are the data, which dropout never drops",
         lambda value, p, layer, key: value * (1 - p) if key == "W" else value),
        ("you also scaled the biases of layers 1, 2, …: the bias is never dropped",
         lambda value, p, layer, key: value * (1 - p) if layer > 0 else value),
        ("you divided by 1 − p (inverted dropout's training scale) instead of multiplying",
         lambda value, p, layer, key: value / (1 - p) if key == "W" and layer > 0 else value),
        ("you scaled nothing: W of layers 1, 2, … must be multiplied by 1 − p", lambda value, p, layer, key: value),
    ],
}


def keep_bounds(n, p):
    """The accepted range [lo, hi] for the number of units kept among n (Binomial(n, 1 − p))."""
    q = 1 - p
    half = Z * math.sqrt(n * q * (1 - q))
    return n * q - half, n * q + half


def _inputs(shape, seed):
    """Random A with no zeros, so that out == 0 exactly where a unit was dropped."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _rng(nb, seed):
    """A Generator made in the student's process by the setup cell's `default_rng`, as a handle."""
    return nb.default_rng(seed)


def _case(A, p, train):
    return "A of shape %s, p=%s, train=%s" % (A.shape, p, train)


def _forward(nb, A, p, seed, train=True):
    """Call dropout_forward(A, p, rng, train) with a generator seeded `seed`: (out, mask, CallResult)."""
    call = nb.inspect("dropout_forward", A, p, _rng(nb, seed), train)
    case = _case(A, p, train)
    expect_sequence(call.value, 2, "dropout_forward", case, "a pair (out, mask)", "end with `return out, mask`")
    out = expect_shape(call.value[0], A.shape, "dropout_forward", case + " (out)", "out",
                       "out has the shape of A (one random draw per unit)")
    mask = expect_shape(call.value[1], A.shape, "dropout_forward", case + " (mask)", "mask",
                        "the mask has the shape of A and includes the 1/(1 − p) scale, so it is a float array: "
                        "keep / (1 − p)")
    return out, mask, call


@item(points=2, visible=True)
def test_dropout_forward_values(nb):
    """dropout_forward: each unit is 0 (dropped) or A/(1 − p) (kept); the mask is 0 or 1/(1 − p)"""
    for shape, p, seed in [((8, 16), 0.25, 51), ((5, 40), 0.6, 52), ((4, 3, 10), 0.0, 53)]:
        A = _inputs(shape, seed)
        out, mask, _ = _forward(nb, A, p, seed)
        case = _case(A, p, True)
        expect_inverted_dropout(out, mask, A, p, "dropout_forward", case)


@item(points=2)
def test_dropout_forward_rate(nb):
    """dropout_forward drops every entry independently with probability p (kept count within binomial bounds)"""
    for shape, p, seed in RATE_CASES:
        A = _inputs(shape, seed)
        out, _, _ = _forward(nb, A, p, seed)
        kept, n = int(np.count_nonzero(out)), A.size
        rows = (out != 0).reshape(shape[0], -1)
        if len(shape) > 1 and 0 < p and (rows == rows[0]).all():
            fail("dropout_forward", _case(A, p, True),
                       "all %d samples (rows) dropped exactly the same units" % shape[0],
                       "draw one keep indicator per entry, rng.random(A.shape), so each sample gets its own "
                       "subnetwork", known=["you drew one mask row (rng.random(A.shape[1:]) or of shape (1, k)) "
                                            "and broadcast it over the batch"])
        lo, hi = keep_bounds(n, p)
        if not lo <= kept <= hi:
            swapped = p != 0.5 and keep_bounds(n, 1 - p)[0] <= kept <= keep_bounds(n, 1 - p)[1]
            fail("dropout_forward", _case(A, p, True),
                       "kept %d of %d units (%.1f %%); each unit is kept with probability 1 − p = %g, so the number "
                       "kept is Binomial(%d, %g): expected %.0f, between %.0f and %.0f (±%g standard deviations)"
                       % (kept, n, 100 * kept / n, 1 - p, n, 1 - p, n * (1 - p), lo, hi, Z),
                       "p is the probability of DROPPING a unit: keep it when rng.random(A.shape) >= p",
                       known=["you kept units with probability p instead of 1 − p (p is the drop probability)"]
                       if swapped else [])


@item(points=1, visible=True)
def test_dropout_forward_identity(nb):
    """dropout_forward with train=False returns A unchanged and a mask of ones"""
    hint = ("at test time dropout does nothing: with inverted dropout the rescaling already happened "
            "during training, so return a copy of A and np.ones_like(A)")
    cases = []
    for shape, p, seed in [((6, 5), 0.3, 54), ((2, 7, 3), 0.9, 55), ((4,), 0.0, 56)]:
        A = _inputs(shape, seed)
        out, mask, _ = _forward(nb, A, p, seed, train=False)
        cases.append([_case(A, p, False) + " (out)", out, A, known(MISCONCEPTIONS, "dropout_forward_test_time", A, p)])
        cases.append([_case(A, p, False) + " (mask)", mask, np.ones(shape),
                      known(MISCONCEPTIONS, "dropout_forward_test_time_mask", A, p)])
    expect_all_close(cases, "dropout_forward", hint)


@item(points=1)
def test_dropout_forward_invalid_p(nb):
    """dropout_forward raises ValueError for p outside [0, 1) (p = 1, 1.5, −0.1)"""
    A = _inputs((4, 6), 57)
    for p in (1.0, 1.5, -0.1):
        case = _case(A, p, True)
        hint = "check first: `if not 0 <= p < 1: raise ValueError(...)` (p = 1 would divide by 0)"
        try:
            nb.dropout_forward(A, p, _rng(nb, 58), True)
        except StudentError as exc:
            lines = str(exc).splitlines()
            error = lines[1] if len(lines) > 1 else lines[0]
            if not error.startswith("ValueError"):
                fail("dropout_forward", case, "expected a ValueError, got %s" % error, hint,
                           known=["p is not checked before it is used (here it divides by 1 − p = 0): raise "
                                  "ValueError yourself for p outside [0, 1)"] if "ZeroDivision" in error else
                           ["you used assert, which raises AssertionError: raise ValueError for p outside [0, 1)"]
                           if error.startswith("AssertionError") else [])
        else:
            fail("dropout_forward", case, "it returned instead of raising ValueError", hint,
                       known=["p is never checked: raise ValueError for p outside [0, 1) (p = 1 drops everything, "
                              "p < 0 or p > 1 is no probability)"])


@item(points=2)
def test_dropout_forward_rng(nb):
    """dropout_forward's randomness comes only from rng: same seed → same mask, other seed → other mask"""
    A = _inputs((30, 40), 59)
    case = _case(A, 0.5, True)
    _, first, _ = _forward(nb, A, 0.5, 2024)
    _, again, _ = _forward(nb, A, 0.5, 2024)
    if not np.array_equal(again, first):
        fail("dropout_forward", case + ", called twice with generators of the same seed 2024",
                   "the two masks differ in %d of %d units; with the same rng they must be identical"
                   % (np.count_nonzero(again != first), first.size), RNG_HINT,
                   known=["you drew from np.random.* (the global generator) or an unseeded generator of your own, "
                          "not from the rng argument"])
    _, other, _ = _forward(nb, A, 0.5, 2025)
    if np.array_equal(other, first):
        fail("dropout_forward", case + ", with generators of seeds 2024 and 2025",
                   "the two masks are identical: the result does not depend on rng", RNG_HINT,
                   known=["you used a generator with a fixed seed of your own (or re-seeded), not the rng argument"])


@item(points=2, visible=True)
def test_dropout_backward_mask(nb):
    """dropout_backward(dout, mask) = dout * mask: it reuses the forward pass's mask, never draws a new one"""
    rng = np.random.default_rng(60)
    cases = []
    for shape, p, train in [((6, 9), 0.4, True), ((3, 5, 4), 0.75, True), ((4, 5), 0.3, False)]:
        dout = rng.normal(size=shape)
        _, mask = ref_dropout_forward(np.ones(shape), p, rng, train)
        cases.append(["dout of shape %s and a mask from p=%s, train=%s" % (shape, p, train),
                      nb.dropout_backward(dout, mask), ref_dropout_backward(dout, mask),
                      known(MISCONCEPTIONS, "dropout_backward", dout, mask)])
    expect_all_close(cases, "dropout_backward",
                     "the gradient flows only through the units that were kept, with the same scale: "
                     "reuse the forward mask (dout * mask), never draw a new one")


def _expect_params_unchanged(before, after):
    hint = "build new arrays (layer['W'] * (1 - p)) in new dicts; never assign into or modify the input"
    for i, (old, new) in enumerate(zip(before, after)):
        if not isinstance(new, dict) or set(new) != set(old):
            fail("weight_scaling_inference", "its input", "it modified the dict of layer %d" % i, hint)
        for key in old:
            expect_unchanged(old[key], new[key], "weight_scaling_inference", "params[%d][%r]" % (i, key), hint,
                                   known=[[old[key] * 0.5, "you multiplied the input's arrays in place "
                                           "(layer['W'] *= 1 - p) instead of building new ones"]])


def _network(sizes, seed):
    rng = np.random.default_rng(seed)
    return [{"W": rng.normal(size=(n_in, n_out)), "b": rng.normal(size=n_out)}
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


@item(points=1)
def test_dropout_no_mutation(nb):
    """dropout_forward, dropout_backward and weight_scaling_inference leave their inputs unchanged"""
    A = _inputs((7, 9), 65)
    for train in (False, True):
        _, mask, call = _forward(nb, A, 0.4, 66, train)
        expect_unchanged(A, call.args[0], "dropout_forward", "A (train=%s)" % train,
                               "return A * mask, a new array; `A *= mask` changes the caller's array",
                               known=[[A * mask, "you multiplied A by the mask in place (A *= mask)"]])
    dout = np.random.default_rng(67).normal(size=A.shape)
    call = nb.inspect("dropout_backward", dout, mask)
    expect_unchanged(dout, call.args[0], "dropout_backward", "dout",
                           known=[[dout * mask, "you multiplied dout by the mask in place (dout *= mask)"]])
    expect_unchanged(mask, call.args[1], "dropout_backward", "mask",
                           known=[[dout * mask, "you stored the product in the mask (mask *= dout)"]])
    params = _network([5, 4, 3], 68)
    call = nb.inspect("weight_scaling_inference", params, 0.5)
    _expect_params_unchanged(params, call.args[0])


@item(points=2, visible=True)
def test_weight_scaling_inference(nb):
    """weight_scaling_inference multiplies the W of layers 1, 2, … by 1 − p; layer 0 and biases unchanged"""
    hint = ("dropout acts on the hidden activations, the inputs of layers 1, 2, …: multiply those layers' W "
            "by the keep probability 1 − p; layer 0's W (its inputs are the data) and all biases stay as they are")
    cases = []
    for sizes, p, seed in [([4, 5, 3, 2], 0.5, 69), ([6, 8, 8, 7, 3], 0.2, 70), ([3, 2], 0.35, 71),
                           ([5, 4, 1], 0.0, 72)]:
        params = _network(sizes, seed)
        case = "a network with layer sizes %s, p=%s" % (sizes, p)
        got = nb.weight_scaling_inference(params, p)
        expect_structure(got, params, "weight_scaling_inference", case, "the scaled params",
                         "return a new list with one dict per layer, like params")
        for i, want in enumerate(ref_weight_scaling_inference(params, p)):
            for key in ("W", "b"):
                cases.append(["%s (layer %d, %s)" % (case, i, key), got[i][key], want[key],
                              known(MISCONCEPTIONS, "weight_scaling_inference", params[i][key], p, i, key)])
    expect_all_close(cases, "weight_scaling_inference", hint)
