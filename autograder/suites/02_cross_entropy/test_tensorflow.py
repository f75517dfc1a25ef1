"""TensorFlow/Keras as an independent referee for assignment 02: the suite's numpy references and the
reference solution's functions against keras.losses, tf.nn.softmax and tf.GradientTape.

Factor conversions (k = number of outputs per sample; Keras averages over the batch like we do):
  quadratic_loss            = MeanSquaredError · k / 2   (Keras averages over the k outputs, has no ½)
  cross_entropy             = BinaryCrossentropy · k     (Keras averages over the k outputs; it clips at
                                                          1e-7, so outputs are drawn from [0.01, 0.99])
  categorical_cross_entropy = CategoricalCrossentropy
Per-sample gradients are gradients of the batch *sum* of per-sample losses (row i depends only on sample i).
"""
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from . import items as suite  # noqa: E402

ASSIGNMENT = "02_cross_entropy"
SHAPES = [(1, 1), (8, 3), (5, 10)]
SLIDES = {0.99: (0.0001, 0.01), 0.5: (0.25, 0.69), 0.01: (0.9801, 4.61)}   # a: ((1 − a)², cross-entropy)
RTOL = 1e-10


def _data(n, k, seed):
    """0/1 labels, soft labels and outputs in [0.01, 0.99], all (n, k) float64."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 2, size=(n, k)).astype(float), rng.uniform(size=(n, k)),
            rng.uniform(0.01, 0.99, size=(n, k)))


def _keras(loss_class, y, a, **kw):
    return float(loss_class(dtype="float64", **kw)(y, a))


def _gradient(per_batch_sum, y, x):
    """d(per_batch_sum(y, x))/dx with tf.GradientTape, x float64."""
    x = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = per_batch_sum(tf.constant(y), x)
    return tape.gradient(loss, x).numpy()


def _both(reference, func, *args):
    """The suite's numpy reference and the reference notebook's function on the same arguments."""
    return getattr(suite, "ref_" + func)(*args), getattr(reference, func)(*args)


@pytest.mark.parametrize("n,k", SHAPES)
def test_quadratic_loss_is_mse_times_k_over_2(reference, n, k):
    rng = np.random.default_rng(n * k)
    y, a = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    expected = _keras(keras.losses.MeanSquaredError, y, a) * k / 2
    for got in _both(reference, "quadratic_loss", y, a):
        np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("n,k", SHAPES)
def test_cross_entropy_is_bce_times_k(reference, n, k):
    hard, soft, a = _data(n, k, seed=10 + n * k)
    for y in (hard, soft):
        expected = _keras(keras.losses.BinaryCrossentropy, y, a) * k
        for got in _both(reference, "cross_entropy", y, a):
            np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("n,k", [(1, 2), (8, 3), (5, 10)])     # k ≥ 2: Keras clips a single class at 1 − 1e-7
def test_categorical_cross_entropy_is_keras_cce(reference, n, k):
    rng = np.random.default_rng(20 + n * k)
    y_hard = np.eye(k)[rng.integers(0, k, size=n)]
    y_soft = suite.ref_softmax(rng.normal(size=(n, k)))
    a = tf.nn.softmax(rng.normal(size=(n, k))).numpy()        # all well above Keras' 1e-7 clip
    for y in (y_hard, y_soft):
        expected = _keras(keras.losses.CategoricalCrossentropy, y, a)
        for got in _both(reference, "categorical_cross_entropy", y, a):
            np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_softmax_is_tf_softmax(reference):
    rng = np.random.default_rng(30)
    z = np.vstack([rng.normal(0, 3, size=(6, 4)), [[1e4, 0.0, -1e4, 5.0], [-1e4, -1e4, -1e4 + 1, -1e4],
                                                    [1000.0, 1000.5, 999.0, -800.0]]])
    expected = tf.nn.softmax(tf.constant(z), axis=1).numpy()
    for got in _both(reference, "softmax", z):
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("n,k", SHAPES)
def test_quadratic_loss_grad_is_gradient_tape(reference, n, k):
    rng = np.random.default_rng(40 + n * k)
    y, a = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    mse_sum = keras.losses.MeanSquaredError(reduction="sum", dtype="float64")
    expected = _gradient(lambda y_, a_: mse_sum(y_, a_) * k / 2, y, a)
    np.testing.assert_allclose(a - y, expected, rtol=RTOL)
    np.testing.assert_allclose(reference.quadratic_loss_grad(y, a), expected, rtol=RTOL)


@pytest.mark.parametrize("n,k", SHAPES)
def test_cross_entropy_grad_is_gradient_tape(reference, n, k):
    hard, soft, a = _data(n, k, seed=50 + n * k)
    bce_sum = keras.losses.BinaryCrossentropy(reduction="sum", dtype="float64")
    for y in (hard, soft):
        expected = _gradient(lambda y_, a_: bce_sum(y_, a_) * k, y, a)
        for got in _both(reference, "cross_entropy_grad", y, a):
            np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("n,k", SHAPES)
def test_output_delta_is_gradient_through_sigmoid(reference, n, k):
    """Moderate z (no clipping in Keras): d(k · BCE(y, sigmoid(z)))/dz."""
    hard, soft, _ = _data(n, k, seed=60 + n * k)
    z = np.random.default_rng(61 + n * k).uniform(-4, 4, size=(n, k))
    bce_sum = keras.losses.BinaryCrossentropy(reduction="sum", dtype="float64")
    for y in (hard, soft):
        expected = _gradient(lambda y_, z_: bce_sum(y_, tf.sigmoid(z_)) * k, y, z)
        for got in _both(reference, "output_delta", y, z):
            np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-12)


def test_output_delta_saturated_is_gradient_of_logit_loss(reference):
    """Saturated z: the gradient of TF's stable sigmoid_cross_entropy_with_logits is exactly σ(z) − y."""
    z = np.array([[40.0, -40.0, 800.0, -800.0, 1e4, -1e4, 0.0]] * 2)
    y = np.array([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0], [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.5]])
    expected = _gradient(lambda y_, z_: tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(y_, z_)), y, z)
    for got in _both(reference, "output_delta", y, z):
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("a", sorted(SLIDES))
def test_slides_table(reference, a):
    """The suite's table items: ½ of the slides' (1 − a)², and the slides' rounded cross-entropy (= Keras BCE)."""
    y1, a1 = np.array([[1.0]]), np.array([[a]])
    slides_quadratic, slides_ce = SLIDES[a]
    np.testing.assert_allclose(reference.quadratic_loss(y1, a1), slides_quadratic / 2, rtol=1e-9)
    ce = reference.cross_entropy(y1, a1)
    np.testing.assert_allclose(ce, _keras(keras.losses.BinaryCrossentropy, y1, a1), rtol=RTOL)
    assert abs(ce - slides_ce) < 0.005
