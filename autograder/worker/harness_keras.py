"""Worker-side procedures for assignment 07: describe the student's Keras model as data, or train it.

They call the notebook's `preprocess`, `build_model` and `train_model` exactly as the notebook
does, with the grader's seeds and budget. `describe_model` returns plain data; `fit_and_save`
writes a `.keras` file. No expected answers live here (the students' runtime ships this module).
"""


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


def describe_model(namespace, build_kwargs, seed=0):
    """build_model(**build_kwargs) as plain data: each layer's type, units, activation, dropout rate and
    L2 factor (0.0 without a regularizer), and the compiled loss and metrics as Keras serializes them."""
    _seed(seed)
    model = _student(namespace, "build_model")(**build_kwargs)
    layers = []
    for layer in model.layers:
        config = layer.get_config()
        regularizer = config.get("kernel_regularizer")
        l2 = float(regularizer.get("config", {}).get("l2", "nan")) if isinstance(regularizer, dict) else \
            0.0 if regularizer is None else float("nan")
        layers.append({"type": type(layer).__name__, "units": config.get("units"),
                       "activation": str(config.get("activation")), "rate": config.get("rate"), "l2": l2})
    compiled = model.get_compile_config() or {}
    return {"layers": layers, "loss": compiled.get("loss"), "metrics": compiled.get("metrics")}


def fit_and_save(namespace, build_kwargs, train, validation, epochs, batch_size, seed, filename):
    """preprocess → build_model → train_model on the grader's raw (images, labels); save the model."""
    preprocess = _student(namespace, "preprocess")
    data = (preprocess(*train), preprocess(*validation))
    _seed(seed)
    model = _student(namespace, "build_model")(**build_kwargs)
    history = _student(namespace, "train_model")(model, data, epochs=epochs, batch_size=batch_size,
                                                 callbacks=[])
    model.save(filename)
    history = getattr(history, "history", history)
    return {"file": filename, "epochs_run": len(next(iter(history.values()), [])) if history else 0}
