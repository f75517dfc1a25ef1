"""Worker-side procedures for assignment 07: build or train the student's Keras model, save it.

They call the notebook's `preprocess`, `build_model` and `train_model` exactly as the notebook
does, with the grader's seeds and budget, and write a `.keras` file that the grading process
loads with `safe_mode=True`. No expected answers live here.
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


def build_and_save(namespace, build_kwargs, filename, seed=0):
    """build_model(**build_kwargs), saved to `filename`."""
    _seed(seed)
    model = _student(namespace, "build_model")(**build_kwargs)
    model.save(filename)
    return {"file": filename}


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
