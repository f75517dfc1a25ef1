"""TensorFlow/Keras as an independent referee for assignment 03: the suite's numpy forward/backward and
finite differences, and the reference solution's forward, backward and numerical_gradient, against a
Keras model with the same weights and tf.GradientTape.

The Keras model is the same network: Dense(k, activation) layers in float64, kernel = W (shape (n_in,
n_out), the notebook's convention), bias = b. Loss conversions (k = number of outputs; Keras averages
over the batch like we do):
  quadratic      = MeanSquaredError · k / 2          (Keras averages over the k outputs, has no ½)
  cross_entropy  = BinaryCrossentropy · k            (sigmoid output; Keras averages over the k outputs)
                 = CategoricalCrossentropy           (softmax output, one-hot Y)
"""
import itertools
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from . import items as suite  # noqa: E402

ASSIGNMENT = "03_backprop"
COMBOS = list(itertools.product(suite.HIDDEN, suite.OUTPUTS, suite.LOSSES))
RTOL, ATOL = 1e-9, 1e-13


def _model(params, hidden, output):
    layers = [keras.Input(shape=(params[0]["W"].shape[0],), dtype="float64")]
    for l, p in enumerate(params):
        layers.append(keras.layers.Dense(p["W"].shape[1], dtype="float64",
                                         activation=output if l == len(params) - 1 else hidden))
    model = keras.Sequential(layers)
    model.set_weights([w for p in params for w in (p["W"], p["b"])])
    return model


def _keras_loss(Y, A, output, loss):
    """The notebook's mean loss from Keras' losses (float64), with the factor conversions above."""
    k = Y.shape[1]
    if loss == "quadratic":
        return keras.losses.MeanSquaredError(dtype="float64")(Y, A) * k / 2
    if output == "sigmoid":
        return keras.losses.BinaryCrossentropy(dtype="float64")(Y, A) * k
    return keras.losses.CategoricalCrossentropy(dtype="float64")(Y, A)


def _tape(params, X, Y, hidden, output, loss):
    """Output, mean loss and its gradients [{"W", "b"}, ...] by tf.GradientTape."""
    model = _model(params, hidden, output)
    with tf.GradientTape() as tape:
        A = model(tf.constant(X))
        value = _keras_loss(tf.constant(Y), A, output, loss)
    flat = [g.numpy() for g in tape.gradient(value, model.trainable_variables)]
    return A.numpy(), float(value), [{"W": flat[2 * l], "b": flat[2 * l + 1]} for l in range(len(params))]


def _cases(hidden, output, loss):
    """The deep item's network for this combination, plus three more random ones (0–3 hidden layers)."""
    yield next((sizes, n, seed) for h, o, l, sizes, n, seed in suite.deep_cases()
               if (h, o, l) == (hidden, output, loss))
    rng = np.random.default_rng(COMBOS.index((hidden, output, loss)))
    for _ in range(3):
        yield suite.random_sizes(rng, 0, 3), int(rng.integers(1, 12)), int(rng.integers(1 << 30))


def _assert_grads(got, expected):
    for g, e in zip(got, expected, strict=True):
        for key in ("W", "b"):
            np.testing.assert_allclose(g[key], e[key], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("hidden,output,loss", COMBOS)
def test_forward_loss_and_gradients_match_keras(reference, hidden, output, loss):
    for sizes, n, seed in _cases(hidden, output, loss):
        params, X, Y = suite.make_problem(seed, sizes, n, hidden, output)
        A_tf, loss_tf, grads_tf = _tape(params, X, Y, hidden, output, loss)
        A_ref = suite.ref_forward(params, X, hidden, output)[0]
        A_nb, cache = reference.forward(params, X, hidden, output)
        for A in (A_ref, A_nb):
            np.testing.assert_allclose(A, A_tf, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(suite.ref_mean_loss(Y, A_ref, output, loss), loss_tf, rtol=1e-9)
        _assert_grads(suite.ref_backward(params, X, Y, hidden, output, loss), grads_tf)
        _assert_grads(reference.backward(params, cache, Y, loss), grads_tf)


@pytest.mark.parametrize("hidden,output,loss", COMBOS)
def test_suite_finite_differences_agree_with_tape(hidden, output, loss):
    """The deep item's finite-difference referee is within FD_LIMIT of the exact gradients, with room."""
    for sizes, n, seed in _cases(hidden, output, loss):
        params, X, Y = suite.make_problem(seed, sizes, n, hidden, output)
        grads_tf = _tape(params, X, Y, hidden, output, loss)[2]
        fd = suite.fd_gradients(params, X, Y, hidden, output, loss)
        for g, e in zip(fd, grads_tf):
            for key in ("W", "b"):
                assert suite.ref_relative_error(g[key], e[key], suite.FD_FLOOR) < suite.FD_LIMIT / 5


@pytest.mark.parametrize("hidden,output,loss", COMBOS[::3])
def test_reference_numerical_gradient_of_a_keras_loss(reference, hidden, output, loss):
    """numerical_gradient (called back into this process) on the Keras loss as a function of one kernel."""
    params, X, Y = suite.make_problem(7, [3, 4, 3], 5, hidden, output)
    model = _model(params, hidden, output)
    _, _, grads_tf = _tape(params, X, Y, hidden, output, loss)

    def f(kernel):
        model.layers[0].kernel.assign(kernel)
        return float(_keras_loss(Y, model(X), output, loss))

    got = reference.numerical_gradient(f, params[0]["W"])
    assert reference.relative_error(got, grads_tf[0]["W"]) < 1e-6
