"""TensorFlow/Keras as an independent referee for assignment 05: the suite's numpy references and the
reference solution's functions against keras.regularizers, Dense layers' kernel_regularizer,
tf.GradientTape and keras.callbacks.EarlyStopping.

Factor conversions (n = number of training examples, λ = lam):
  l2_penalty = λ/(2n) Σ w²  = keras.regularizers.L2(l2=c) summed over the kernels, with c = λ/(2n)
  l1_penalty = λ/n Σ |w|    = keras.regularizers.L1(l1=c) summed over the kernels, with c = λ/n
  l2_grad    = λ/n · W      = d L2(c)(W)/dW = 2c · W
  l1_grad    = λ/n · sign W = d L1(c)(W)/dW = c · sign(W)   (away from 0; at 0 TF's gradient is 0 too)
Keras layers' kernel = our W (n_in, n_out); no bias_regularizer, so biases are not penalized.
Keras casts the Python float c to the tensor dtype through float32 (ops.cast(c, "float64") of a Python
float rounds it to float32 first), so results involving c agree to float32 precision only: RTOL = 2e-7,
still a million times finer than any missing ½ or 1/n.
"""
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from . import items as suite  # noqa: E402

ASSIGNMENT = "05_l2"
RTOL = 2e-7
CASES = [([3, 2], 0.5, 10, 1), ([5, 8, 4, 1], 2.0, 37, 2), ([2, 64, 64, 1], 0.3, 30, 3), ([7, 1], 1e-3, 1, 4)]
KERAS = {"l2": lambda lam, n: keras.regularizers.L2(l2=lam / (2 * n)),
         "l1": lambda lam, n: keras.regularizers.L1(l1=lam / n)}


def _both(reference, func, *args):
    """The suite's numpy reference and the reference notebook's function on the same arguments."""
    return getattr(suite, "ref_" + func)(*args), getattr(reference, func)(*args)


def _dense_model(params, kind, lam, n):
    """float64 Dense layers (kernel_regularizer only) holding `params`, built on a random batch."""
    model = keras.Sequential(
        [keras.Input(shape=(params[0]["W"].shape[0],), dtype="float64")] +
        [keras.layers.Dense(p["W"].shape[1], activation="tanh", dtype="float64",
                            kernel_regularizer=KERAS[kind](lam, n)) for p in params])
    for layer, p in zip(model.layers, params):
        layer.set_weights([p["W"], p["b"]])
    return model


@pytest.mark.parametrize("kind", ["l2", "l1"])
@pytest.mark.parametrize("sizes,lam,n,seed", CASES)
def test_penalty_is_keras_regularizer(reference, kind, sizes, lam, n, seed):
    params = suite.random_params(np.random.default_rng(seed), sizes, bias_scale=3.0)
    regularizer = KERAS[kind](lam, n)
    expected = sum(float(regularizer(tf.constant(p["W"]))) for p in params)
    for got in _both(reference, kind + "_penalty", params, lam, n):
        np.testing.assert_allclose(got, expected, rtol=RTOL)


@pytest.mark.parametrize("kind", ["l2", "l1"])
@pytest.mark.parametrize("shape,lam,n", [((3, 2), 0.5, 10), ((6, 1), 3.0, 7), ((4,), 1.0, 1), ((64, 64), 0.3, 30)])
def test_grad_is_gradient_tape_of_keras_regularizer(reference, kind, shape, lam, n):
    W = np.random.default_rng(sum(shape)).normal(size=shape)
    W[np.abs(W) < 1e-3] = 0.5                      # |w| has no derivative at 0
    var = tf.Variable(W)
    with tf.GradientTape() as tape:
        penalty = KERAS[kind](lam, n)(var)
    expected = tape.gradient(penalty, var).numpy()
    for got in _both(reference, kind + "_grad", W, lam, n):
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-15)


def test_l1_grad_at_zero_is_tensorflow_convention(reference):
    """The notebook's sign(0) = 0 is what tf.GradientTape gives for |w| at w = 0."""
    W = np.array([[0.0, 1.5, -0.0], [-2.0, 0.0, 1e-12]])
    var = tf.Variable(W)
    with tf.GradientTape() as tape:
        penalty = KERAS["l1"](0.8, 4)(var)
    expected = tape.gradient(penalty, var).numpy()
    assert np.all(expected[W == 0] == 0)
    for got in _both(reference, "l1_grad", W, 0.8, 4):
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)


@pytest.mark.parametrize("kind", ["l2", "l1"])
def test_dense_kernel_regularizer_ignores_biases(reference, kind):
    """model.losses of Dense layers with kernel_regularizer = our penalty, whatever the biases."""
    lam, n = 0.8, 25
    params = suite.random_params(np.random.default_rng(5), [4, 6, 3, 1], bias_scale=4.0)
    model = _dense_model(params, kind, lam, n)
    model(np.zeros((2, 4)))
    expected = sum(float(loss) for loss in model.losses)
    assert len(model.losses) == len(params)         # one penalty per kernel, none for the biases
    for got in _both(reference, kind + "_penalty", params, lam, n):
        np.testing.assert_allclose(got, expected, rtol=RTOL)
    model.layers[0].set_weights([params[0]["W"], params[0]["b"] + 10.0])
    np.testing.assert_allclose(sum(float(loss) for loss in model.losses), expected, rtol=RTOL)


@pytest.mark.parametrize("kind", ["l2", "l1"])
@pytest.mark.parametrize("sizes,lam,n,seed", CASES)
def test_regularized_grads_is_gradient_tape_of_loss_plus_penalty(reference, kind, sizes, lam, n, seed):
    """d(data loss + Σ model.losses) = regularized_grads(d(data loss), params): dW + penalty', db as is."""
    rng = np.random.default_rng(seed)
    params = suite.random_params(rng, sizes, bias_scale=1.0)
    X, y = rng.normal(size=(6, sizes[0])), rng.normal(size=(6, sizes[-1]))
    model = _dense_model(params, kind, lam, n)
    with tf.GradientTape(persistent=True) as tape:
        data_loss = tf.reduce_mean(tf.square(model(X) - y))
        total = data_loss + tf.add_n(model.losses)
    variables = [(layer.kernel, layer.bias) for layer in model.layers]
    data = [{"W": tape.gradient(data_loss, k).numpy(), "b": tape.gradient(data_loss, b).numpy()}
            for k, b in variables]
    expected = [{"W": tape.gradient(total, k).numpy(), "b": tape.gradient(total, b).numpy()} for k, b in variables]
    for got in _both(reference, "regularized_grads", data, params, lam, n, kind):
        for g, e in zip(got, expected):
            # atol: dW and the penalty gradient can cancel, leaving the float32 error of c in absolute terms
            np.testing.assert_allclose(g["W"], e["W"], rtol=RTOL, atol=1e-8)
            np.testing.assert_allclose(g["b"], e["b"], rtol=RTOL, atol=1e-8)


def _keras_early_stopping(val_losses, patience):
    """Feed keras.callbacks.EarlyStopping one epoch at a time: [(best_epoch, stop_training)] per epoch."""
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=0)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.stop_training = False                    # as model.fit() does before training
    callback.set_model(model)
    callback.on_train_begin()
    states = []
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        states.append((callback.best_epoch, bool(model.stop_training)))
        if model.stop_training:
            break
    return states


SEQUENCES = [
    ([1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9], 2),
    ([0.5, 0.4, 0.4, 0.4, 0.45, 0.5], 3),
    ([0.5, 0.3, 0.6, 0.3, 0.35, 0.2, 0.25, 0.3], 2),
    ([0.7], 1),
] + [(np.round(np.random.default_rng(seed).uniform(0, 1, size=30), 1).tolist(), patience)
     for seed, patience in zip(range(20), [1, 2, 3, 4, 5] * 4)]


@pytest.mark.parametrize("val_losses,patience", SEQUENCES)
def test_early_stopping_is_keras_callback(reference, val_losses, patience):
    """Until Keras stops, every prefix of the losses gets Keras' best epoch and stop decision."""
    for epoch, state in enumerate(_keras_early_stopping(val_losses, patience)):
        prefix = val_losses[:epoch + 1]
        for got in _both(reference, "early_stopping", prefix, patience):
            assert (int(got[0]), bool(got[1])) == state, (prefix, patience)
