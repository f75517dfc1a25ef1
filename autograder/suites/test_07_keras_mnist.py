"""Assignment 07 — Keras MNIST. The grader controls training: the worker builds and trains the
student's model with the grader's seeds and budget and saves it; this process loads it with
`safe_mode=True` and measures it on data the worker never saw (the test split)."""
import functools
import os
import threading
import warnings
import weakref

import numpy as np

import grading_config
from autograder.expect import expect_array, expect_close, expect_layers, expect_sequence, fail
from autograder.items import PartialCredit, visible

CONFIG = grading_config.ASSIGNMENTS["07_keras_mnist"]
SPEC = dict(hidden_sizes=[64, 32], activation="relu", dropout=0.0, l2=0.0,
            loss="categorical_crossentropy", optimizer="adam")
UNREGULARIZED = dict(SPEC, hidden_sizes=[256, 128])
REGULARIZED = dict(UNREGULARIZED, dropout=0.5, l2=1e-3)
_trained = weakref.WeakKeyDictionary()          # nb → {spec key: loaded model}


@functools.lru_cache(maxsize=1)
def mnist():
    """Raw digits and the grading budget for whichever MNIST source is available."""
    from course_data.mnist import describe, load_mnist
    train, val, test, source = load_mnist()
    budget = CONFIG["budget"][source]
    return {"train": tuple(a[:budget["train"]] for a in train), "val": tuple(a[:budget["val"]] for a in val),
            "test": test, "source": source, "describe": describe(source), "budget": budget}


def reference_preprocess(x, y):
    return x.reshape(len(x), -1).astype("float32") / 255.0, np.eye(10, dtype="float32")[y]


# TensorFlow must stay quiet (stderr zeroes an nbgrader test cell); importing it takes seconds, so
# start now, while the worker runs the notebook.
for _name, _value in (("TF_CPP_MIN_LOG_LEVEL", "3"), ("TF_ENABLE_ONEDNN_OPTS", "0")):
    os.environ.setdefault(_name, _value)
threading.Thread(target=__import__, args=("keras",), daemon=True).start()


def keras():
    import keras as k
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    return k


def _load(path, func):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # "skipping optimizer variables": irrelevant here
            return keras().saving.load_model(path, safe_mode=True)
    except Exception as exc:
        fail(func, "the model it built", "the saved model could not be loaded safely (%s: %s)"
             % (type(exc).__name__, str(exc).splitlines()[0][:300]),
             "use only standard Keras layers (no Lambda layers, no custom classes)")


def summary(nb, spec):
    """The student's build_model(**spec), described as data by the worker (see `harness_keras.describe_model`)."""
    return nb.harness("keras.describe_model", spec).value


def trained(nb, spec, epochs=None, samples=None, fresh=False):
    """The student's preprocess → build_model(**spec) → train_model, with the grader's seed and budget.

    Models are trained once per notebook and spec (several items share them) unless `fresh`.
    """
    data = mnist()
    key = (repr(sorted(spec.items())), epochs, samples)
    cache = _trained.setdefault(nb, {})
    if key not in cache or fresh:
        inside, outside = nb.scratch_file("trained-%d.keras" % len(cache))
        train = tuple(a[:samples] for a in data["train"])
        nb.harness("keras.fit_and_save", spec, train, data["val"], epochs or data["budget"]["epochs"],
                   data["budget"]["batch_size"], data["budget"]["seed"], inside)
        cache[key] = _load(outside, "train_model")
    return cache[key]


def accuracy(model, split):
    """Accuracy of the model on a split, preprocessed the reference way (eager: no tracing, no logs)."""
    x, y = reference_preprocess(*mnist()[split])
    predicted = np.concatenate([np.argmax(model(x[i:i + 1000], training=False), axis=1)
                                for i in range(0, len(x), 1000)])
    return float(np.mean(predicted == np.argmax(y, axis=1)))


@visible
def test_preprocess_pixels(nb):
    """preprocess flattens images to 784 float32 pixels scaled to [0, 1]"""
    x, y = mnist()["train"]
    got = nb.preprocess(x[:20], y[:20])
    expect_sequence(got, 2, "preprocess", "20 raw digits", "a pair (x, y)", "end with `return x, y`")
    want = reference_preprocess(x[:20], y[:20])[0]
    hint = "x.reshape(len(x), 784).astype('float32') / 255"
    expect_close(got[0], want, "preprocess", "20 raw digits (uint8 images 28×28)", hint, rtol=1e-6, atol=1e-6)
    expect_array(got[0], want.shape, "float32", "preprocess", "20 raw digits", "the pixels", hint)


@visible
def test_preprocess_labels(nb):
    """preprocess one-hot encodes the labels: shape (n, 10)"""
    x, y = mnist()["train"]
    got = nb.preprocess(x[:20], y[:20])[1]
    expect_close(got, reference_preprocess(x[:20], y[:20])[1], "preprocess", "20 labels (digits 0–9)",
                 "keras.utils.to_categorical(y, 10) turns labels into one-hot rows")


@visible
def test_architecture_layers(nb):
    """build_model: Dense layers of the requested sizes and activation, softmax output"""
    for spec in (SPEC, dict(SPEC, hidden_sizes=[16], activation="sigmoid")):
        expect_layers(summary(nb, spec)["layers"], spec, "build_model", str(spec))


def test_architecture_regularization(nb):
    """build_model: Dropout(rate) after each hidden layer only, L2 on hidden kernels only when asked"""
    for spec in (dict(SPEC, dropout=0.3, l2=2e-3), SPEC):
        got = [(layer["type"], layer["rate"] if layer["type"] == "Dropout" else layer["l2"])
               for layer in summary(nb, spec)["layers"]]
        expected = []
        for _ in range(sum(kind == "Dense" for kind, _ in got) - 1):
            expected += [("Dense", spec["l2"])] + ([("Dropout", spec["dropout"])] if spec["dropout"] else [])
        if [k for k, _ in got] != [k for k, _ in expected] + ["Dense"]:
            fail("build_model", str(spec), "layer order %s, expected %s" % (
                [k for k, _ in got], [k for k, _ in expected] + ["Dense"]),
                "Dropout goes after each hidden Dense layer, never after the output layer")
        if not np.allclose([v for _, v in got[:-1]], [v for _, v in expected], rtol=1e-5, atol=0):
            fail("build_model", str(spec), "hidden dropout rates / L2 factors %s, expected %s" % (got[:-1], expected),
                 "Dropout(dropout) and kernel_regularizer=keras.regularizers.L2(l2); none when they are 0")


def _name(obj):
    aliases = {"mse": "meansquarederror", "acc": "accuracy", "categoricalaccuracy": "accuracy"}
    text = obj.get("class_name", obj.get("config", {}).get("name", "")) if isinstance(obj, dict) else str(obj)
    text = text.replace("_", "").lower()
    return aliases.get(text, text)


def test_compiled_loss_metric(nb):
    """build_model compiles with the requested loss and an accuracy metric"""
    for loss in ("categorical_crossentropy", "mean_squared_error"):
        config = summary(nb, dict(SPEC, loss=loss))
        if _name(config.get("loss")) != _name(loss):
            fail("build_model", "loss=%r" % loss, "compiled with loss %r" % config.get("loss"),
                 "model.compile(loss=loss, ...)")
        metrics = [_name(m) for m in np.ravel(config.get("metrics") or []).tolist()]
        if "accuracy" not in metrics:
            fail("build_model", "loss=%r" % loss, "compiled metrics %s lack accuracy" % metrics,
                 "model.compile(..., metrics=['accuracy'])")


def test_test_accuracy(nb):
    """accuracy on held-out test digits after the grader's training budget (partial credit)"""
    data = mnist()
    low, high = CONFIG["accuracy_thresholds"][data["source"]]
    acc = accuracy(trained(nb, UNREGULARIZED), "test")
    fraction = round(float(np.clip((acc - low) / (high - low), 0, 1)), 2)
    return PartialCredit(fraction, "test accuracy %.4f on %d held-out digits of the %s (full marks from %.2f, "
                         "none below %.2f)" % (acc, len(data["test"][1]), data["describe"], high, low))


def test_regularization_gap(nb):
    """with dropout and L2, the train–validation accuracy gap is no larger than without"""
    gaps = {}
    for name, spec in (("unregularized", UNREGULARIZED), ("regularized", REGULARIZED)):
        model = trained(nb, spec)
        gaps[name] = accuracy(model, "train") - accuracy(model, "val")
    if gaps["regularized"] > gaps["unregularized"]:
        fail("build_model/train_model", "dropout=0.5, l2=1e-3 vs none", "train–validation gap %.3f with "
             "regularization, %.3f without" % (gaps["regularized"], gaps["unregularized"]),
             "check that dropout and L2 are really applied (and that Dropout is not after the output)")


def test_seeded_determinism(nb):
    """training twice with the same seed gives identical weights"""
    small = dict(SPEC, hidden_sizes=[32])
    first = trained(nb, small, epochs=1, samples=1000).get_weights()
    second = trained(nb, small, epochs=1, samples=1000, fresh=True).get_weights()
    if len(first) != len(second) or not all(np.array_equal(a, b) for a, b in zip(first, second)):
        fail("train_model", "two runs with the same seed", "the trained weights differ",
             "don't reseed or shuffle with your own randomness inside build_model/train_model")
