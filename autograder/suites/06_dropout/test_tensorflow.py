"""TensorFlow/Keras as an independent referee for assignment 06: the suite's numpy references and the
reference solution's functions against keras.layers.Dropout and tf.GradientTape.

Keras' Dropout(rate=p) is inverted dropout, the notebook's convention: in training each unit is kept
with probability 1 − p and scaled by 1/(1 − p) (Keras computes in float32); with training=False it is
the identity. Non-inverted dropout (for the weight scaling rule) is Keras' output times (1 − p).
Counts of kept units are checked with the suite's own binomial bounds (`keep_bounds`), whose exact
false-failure probability is checked here too.
"""
import math
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from scipy.stats import binom  # noqa: E402

from . import items as suite  # noqa: E402

ASSIGNMENT = "06_dropout"
P_VALUES = [0.1, 0.35, 0.8]
N = 100_000


def _keras_dropout(x, p, seed, training=True):
    return keras.layers.Dropout(rate=p, seed=seed)(tf.constant(x, tf.float32), training=training).numpy()


def _forwards(reference, x, p, seed, train=True):
    """(out, mask) of the suite's numpy reference and of the reference notebook, same input."""
    return (suite.ref_dropout_forward(x, p, np.random.default_rng(seed), train),
            tuple(reference.dropout_forward(x, p, reference.default_rng(seed), train)))


def _expect_kept_count(kept, n, p):
    lo, hi = suite.keep_bounds(n, p)
    assert lo <= kept <= hi, "kept %d of %d, accepted range [%.0f, %.0f] for p=%s" % (kept, n, lo, hi, p)


@pytest.mark.parametrize("shape,p,seed", suite.RATE_CASES)
def test_rate_bounds_are_exact_enough_and_catch_keep_drop_confusion(shape, p, seed):
    """Outside the bounds: P < 1e-7 for Binomial(n, 1 − p); inside: P < 1e-12 for Binomial(n, p) (the bug)."""
    n = math.prod(shape)
    lo, hi = suite.keep_bounds(n, p)
    inside = (math.ceil(lo), math.floor(hi))

    def p_inside(q):
        return binom.cdf(inside[1], n, q) - binom.cdf(inside[0] - 1, n, q)

    assert 1 - p_inside(1 - p) < 1e-7
    assert p_inside(p) < 1e-12


@pytest.mark.parametrize("p", P_VALUES)
def test_keras_dropout_is_inverted_dropout(p):
    """The convention itself: Keras keeps ~(1 − p), scales kept units by 1/(1 − p), is the identity at test time."""
    x = np.ones(N, np.float32)
    out = _keras_dropout(x, p, 1)
    _expect_kept_count(np.count_nonzero(out), N, p)
    np.testing.assert_allclose(out[out != 0], 1 / (1 - p), rtol=1e-6)
    np.testing.assert_array_equal(_keras_dropout(x, p, 1, training=False), x)


@pytest.mark.parametrize("p", P_VALUES)
def test_forward_statistics_match_keras(reference, p):
    x = np.ones(N)
    keras_out = _keras_dropout(x, p, 2)
    keras_kept = np.count_nonzero(keras_out)
    sd = math.sqrt(N * p * (1 - p))
    for out, mask in _forwards(reference, x, p, 3):
        kept = np.count_nonzero(out)
        _expect_kept_count(kept, N, p)
        assert abs(kept - keras_kept) <= suite.Z * math.sqrt(2) * sd        # two independent binomials
        np.testing.assert_allclose(out[out != 0], keras_out[keras_out != 0][0], rtol=1e-6)
        np.testing.assert_array_equal(out, x * mask)
    for out, mask in _forwards(reference, x, p, 3, train=False):
        np.testing.assert_array_equal(out, _keras_dropout(x, p, 2, training=False))
        np.testing.assert_array_equal(mask, np.ones(N))


@pytest.mark.parametrize("p", [0.3, 0.6])
def test_backward_matches_gradient_tape(reference, p):
    """d(Σ dout · Dropout(x))/dx from tf.GradientTape = dropout_backward(dout, mask of that forward pass)."""
    rng = np.random.default_rng(4)
    x = tf.Variable(rng.normal(size=(64, 50)).astype(np.float32))
    dout = rng.normal(size=(64, 50))
    with tf.GradientTape() as tape:
        y = keras.layers.Dropout(rate=p, seed=5)(x, training=True)
        loss = tf.reduce_sum(y * tf.constant(dout, tf.float32))
    grad = tape.gradient(loss, x).numpy()
    mask = (y.numpy() != 0) / (1 - p)
    for got in (suite.ref_dropout_backward(dout, mask), reference.dropout_backward(dout, mask)):
        np.testing.assert_allclose(got, grad, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(got[mask == 0], 0.0)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_weight_scaling_matches_keras_monte_carlo(reference, p):
    """Linear 4-layer net, non-inverted Keras dropout before layers 1–3: mean over draws = weight-scaled net.

    With identity activations and independent masks the expectation is exact, so the Monte-Carlo mean
    must agree within 5.5 standard errors per output.
    """
    rng = np.random.default_rng(6)
    sizes, draws = [5, 8, 6, 4, 3], 20_000
    params = [{"W": rng.normal(size=(a, b)) / math.sqrt(a), "b": rng.normal(0, 3, size=b)}    # biases matter
              for a, b in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(1, sizes[0]))
    h = tf.constant(np.repeat(x, draws, axis=0), tf.float32)
    for i, layer in enumerate(params):
        if i > 0:
            h = keras.layers.Dropout(rate=p, seed=10 + i)(h, training=True) * (1 - p)
        dense = keras.layers.Dense(layer["W"].shape[1])
        dense.build((None, layer["W"].shape[0]))
        dense.set_weights([layer["W"], layer["b"]])
        h = dense(h)
    outputs = h.numpy().astype(float)
    mean, stderr = outputs.mean(axis=0), outputs.std(axis=0) / math.sqrt(draws)
    for scaled in (suite.ref_weight_scaling_inference(params, p), reference.weight_scaling_inference(params, p)):
        z = x
        for layer in scaled:
            z = z @ layer["W"] + layer["b"]
        assert np.all(np.abs(mean - z[0]) <= suite.Z * stderr), (mean, z[0], stderr)
