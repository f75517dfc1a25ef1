"""TensorFlow/Keras as an independent referee for assignment 04: the suite's numpy references and the
reference solution's functions against keras.optimizers.SGD, tf.GradientTape, keras.losses and tf.data.

Conventions compared:
  sgd_update      = keras.optimizers.SGD(learning_rate=η), one step:      w ← w − η g
  momentum_update = keras.optimizers.SGD(learning_rate=η, momentum=μ):    v ← μ v − η g;  w ← w + v
                    (Keras keeps v in `optimizer.momentums`, one slot per variable, starting at 0)
  loss_and_grads  = keras.losses.BinaryCrossentropy (mean over the batch) and its tf.GradientTape
                    gradient; outputs stay in (1e-7, 1 − 1e-7), where Keras's clipping does nothing
  iterate_minibatches(shuffle=False) = tf.data.Dataset.batch(batch_size) (the short last batch kept)
Keras holds the learning rate in a float32 variable, so η and μ are powers of two (exact in float32)
and the float64 updates agree to rounding.
"""
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from . import items as suite  # noqa: E402

ASSIGNMENT = "04_sgd"
SIZES = [[3, 4, 2], [5, 1], [2, 6, 3, 1]]
RTOL = 1e-10


def _flat(structure):
    """The arrays of a list of {"W", "b"} dicts in a fixed order (the order of the tf.Variables)."""
    return [d[k] for d in structure for k in ("W", "b")]


def _assert_structures_close(got, expected, rtol=RTOL, atol=1e-12):
    assert len(got) == len(expected)
    for g, e in zip(_flat(got), _flat(expected)):
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)


def _keras_steps(params, grads_seq, **optimizer_args):
    """Apply keras.optimizers.SGD to tf.Variables holding params; returns (params, velocity) after each step."""
    variables = [tf.Variable(a) for a in _flat(params)]
    optimizer = keras.optimizers.SGD(**optimizer_args)
    out = []
    for grads in grads_seq:
        optimizer.apply_gradients(zip([tf.constant(g) for g in _flat(grads)], variables))
        values = [v.numpy() for v in variables]
        slots = [m.numpy() for m in optimizer.momentums] if optimizer_args.get("momentum") else values
        out.append(tuple([{"W": vals[2 * i], "b": vals[2 * i + 1]} for i in range(len(params))]
                         for vals in (values, slots)))
    return out


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("lr", [0.0625, 0.5])
def test_sgd_update_is_keras_sgd_step(reference, sizes, lr):
    rng = np.random.default_rng(len(sizes) * 100 + int(lr * 64))
    params, grads = suite.random_structure(rng, sizes), suite.random_structure(rng, sizes)
    expected, _ = _keras_steps(params, [grads], learning_rate=lr)[0]
    _assert_structures_close(suite.ref_sgd_update(params, grads, lr), expected)
    _assert_structures_close(reference.sgd_update(params, grads, lr), expected)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("lr,mu", [(0.125, 0.875), (0.03125, 0.5)])
def test_momentum_update_is_keras_sgd_momentum(reference, sizes, lr, mu):
    rng = np.random.default_rng(len(sizes) * 1000 + int(mu * 10))
    params = suite.random_structure(rng, sizes)
    grads_seq = [suite.random_structure(rng, sizes) for _ in range(6)]
    keras_steps = _keras_steps(params, grads_seq, learning_rate=lr, momentum=mu)
    for update in (suite.ref_momentum_update, reference.momentum_update):
        p, v = params, suite.zeros_like(params)
        for grads, (keras_params, keras_velocity) in zip(grads_seq, keras_steps):
            p, v = update(p, grads, v, lr, mu)
            _assert_structures_close(v, keras_velocity)
            _assert_structures_close(p, keras_params)


def _tf_loss(params, X, Y):
    """Mean binary cross-entropy of the ReLU/sigmoid network, in TensorFlow (params as tf tensors)."""
    A = tf.constant(X)
    for layer, p in enumerate(params):
        Z = A @ p["W"] + p["b"]
        A = tf.sigmoid(Z) if layer == len(params) - 1 else tf.nn.relu(Z)
    return keras.losses.BinaryCrossentropy(dtype="float64")(tf.constant(Y), A)


@pytest.mark.parametrize("sizes", [[2, 16, 1], [3, 5, 4, 1]])
def test_provided_loss_and_grads_match_gradient_tape(reference, sizes):
    """The notebook's provided model (what students train; train_history measures with its `loss`), against
    TensorFlow."""
    rng = np.random.default_rng(sum(sizes))
    params = suite.random_structure(rng, sizes, 0.5)
    X, Y = rng.normal(size=(12, sizes[0])), rng.integers(0, 2, size=(12, 1)).astype(float)
    variables = [{k: tf.Variable(a) for k, a in p.items()} for p in params]
    with tf.GradientTape() as tape:
        tf_loss = _tf_loss(variables, X, Y)
    tf_grads = tape.gradient(tf_loss, variables)
    loss, grads = reference.loss_and_grads(params, X, Y)
    np.testing.assert_allclose(loss, float(tf_loss), rtol=1e-9)
    np.testing.assert_allclose(reference.loss(params, X, Y), float(tf_loss), rtol=1e-9)
    _assert_structures_close(grads, [{k: g.numpy() for k, g in d.items()} for d in tf_grads], rtol=1e-8)


@pytest.mark.parametrize("n,batch_size", [(10, 4), (12, 4), (7, 10), (5, 1)])
def test_minibatches_in_order_match_tf_data(reference, n, batch_size):
    rng = np.random.default_rng(n)
    X, Y = rng.normal(size=(n, 3)), rng.integers(0, 2, size=(n, 1)).astype(float)
    expected = list(tf.data.Dataset.from_tensor_slices((X, Y)).batch(batch_size).as_numpy_iterator())
    got = reference.iterate_minibatches(X, Y, batch_size, reference.default_rng(0), False)
    assert len(got) == len(expected)
    for (Xb, Yb), (tf_Xb, tf_Yb) in zip(got, expected):
        np.testing.assert_array_equal(Xb, tf_Xb)
        np.testing.assert_array_equal(Yb, tf_Yb)


def test_suite_circles_are_the_notebooks(reference):
    """The grader's held-out data comes from the same generator as the students' training data."""
    for seed in (0, 470):
        X, Y = reference.make_circles(50, reference.default_rng(seed), 0.1)
        ref_X, ref_Y = suite.ref_make_circles(50, np.random.default_rng(seed), 0.1)
        np.testing.assert_array_equal(X, ref_X)
        np.testing.assert_array_equal(Y, ref_Y)
