"""Procedures for assignment 07, in two roles.

In the student's worker: `build_and_save` and `fit_and_save` call the notebook's `build_model`
and `train_model` exactly as the notebook does, with the grader's seeds, budget and preprocessed
data (so a wrong `preprocess` costs only its own items), and save the model to a file.

In an evaluator (`StudentNamespace.evaluate`: a fresh process that ran no student code):
`describe_saved` reads a saved model's architecture and compile settings as plain data from its
`config.json`, without building it; `predict_saved` loads it (safe mode) and returns predicted
classes for images it is given — never labels — and a digest of its weights.

No expected answers live here (the students' runtime ships this module).
"""
import atexit
import hashlib
import json
import shutil
import tempfile
import zipfile

_folder = []


def _student(namespace, name):
    func = namespace.get(name)
    if not callable(func):
        raise NameError("`%s` is not defined in the notebook" % name)
    return func


def _seed(seed):
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def _save(model):
    """Save to a new file in a private temporary folder (under TMPDIR: in the kit's worker, its own folder)."""
    if not _folder:
        _folder.append(tempfile.mkdtemp(prefix="models-"))
        atexit.register(shutil.rmtree, _folder[0], True)
    path = tempfile.mkstemp(suffix=".keras", dir=_folder[0])[1]
    model.save(path)
    return path


def build_and_save(namespace, build_kwargs, seed=0):
    """build_model(**build_kwargs), saved untrained: {"file": path}."""
    _seed(seed)
    return {"file": _save(_student(namespace, "build_model")(**build_kwargs))}


def fit_and_save(namespace, build_kwargs, train, validation, epochs, batch_size, seed):
    """build_model → train_model on the grader's preprocessed (x, one-hot y) pairs, then save:
    {"file": path, "epochs_run": epochs the History records, "history": the History's metric names}."""
    data = (tuple(train), tuple(validation))
    _seed(seed)
    model = _student(namespace, "build_model")(**build_kwargs)
    history = _student(namespace, "train_model")(model, data, epochs=epochs, batch_size=batch_size,
                                                 callbacks=[])
    history = getattr(history, "history", history)
    history = history if isinstance(history, dict) else {}
    return {"file": _save(model), "epochs_run": len(next(iter(history.values()), [])),
            "history": sorted(str(key) for key in history)}


def describe_saved(namespace, path):
    """A saved model's layers as the notebook's contract sees them — each layer's type, units,
    activation, dropout rate and kernel L2 factor (0.0 without a regularizer, nan for another kind) —
    and its compiled loss, metrics and optimizer, as Keras serialized them. However the model was built
    (Sequential or functional, nested models, activations as layers of their own), input layers and
    Flatten are left out and an activation layer right after a linear Dense becomes its activation."""
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    layers = _merged(list(_layers(config)))
    if not layers:
        raise ValueError("the saved model lists no layers (a subclassed model?): build a keras.Sequential "
                         "or functional model")
    compiled = config.get("compile_config") or {}
    return {"layers": layers, "loss": compiled.get("loss"), "metrics": compiled.get("metrics"),
            "optimizer": compiled.get("optimizer")}


# Activation layers with their default settings, as the activation they apply.
ACTIVATION_LAYERS = {"Activation": None, "ReLU": "relu", "Softmax": "softmax"}


def _layers(config):
    for layer in (config.get("config") or {}).get("layers") or []:
        settings = layer.get("config") or {}
        if settings.get("layers") is not None:
            yield from _layers(layer)
        elif layer.get("class_name") not in ("InputLayer", "Flatten"):
            regularizer = settings.get("kernel_regularizer")
            l2 = float((regularizer.get("config") or {}).get("l2", "nan")) if isinstance(regularizer, dict) \
                else 0.0 if regularizer is None else float("nan")
            kind = layer.get("class_name")
            activation = settings.get("activation") if kind != "ReLU" or _plain_relu(settings) else "leaky/capped relu"
            yield {"type": kind, "units": settings.get("units"),
                   "activation": str(ACTIVATION_LAYERS.get(kind) or activation), "rate": settings.get("rate"), "l2": l2}


def _plain_relu(settings):
    return not settings.get("max_value") and not settings.get("negative_slope") and not settings.get("threshold")


def _merged(layers):
    """Fold each activation layer into the linear Dense layer just before it."""
    out = []
    for layer in layers:
        if layer["type"] in ACTIVATION_LAYERS and out and out[-1]["type"] == "Dense" \
                and out[-1]["activation"] == "linear":
            out[-1] = dict(out[-1], activation=layer["activation"])
        else:
            out.append(layer)
    return out


def predict_saved(namespace, path, images):
    """Load the saved model (safe mode: no Lambda layers, no custom code) and predict:
    {"model": describe_saved, "predictions": {name: predicted class per image (n,) uint8},
    "weights": sha256 of its weights}. `images` maps names to arrays (n, 784) float32."""
    import keras
    import numpy as np
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    model = keras.saving.load_model(path, safe_mode=True)
    predictions = {name: np.concatenate([np.argmax(model(x[i:i + 1000], training=False), axis=1)
                                         for i in range(0, len(x), 1000)] or [np.zeros(0)]).astype(np.uint8)
                   for name, x in images.items()}
    digest = hashlib.sha256()
    for weights in model.get_weights():
        digest.update(np.ascontiguousarray(weights).tobytes())
    return {"model": describe_saved(namespace, path), "predictions": predictions, "weights": digest.hexdigest()}
