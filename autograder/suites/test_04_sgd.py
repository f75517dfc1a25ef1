"""Assignment 04 — minibatches, SGD, momentum and a training loop. Each `test_<item>` is one graded item.

Parameters, gradients and velocities are lists of dicts {"W": (n_in, n_out), "b": (n_out,)}.
The Generators passed to `iterate_minibatches` live in the student's process: the suite makes them
with the notebook's own `default_rng` (imported by the locked setup cell) and passes the handles.
"""
import numpy as np

from autograder.expect import (expect_close, expect_decreasing, expect_losses, expect_minibatches, expect_sequence,
                               expect_structure, expect_structure_close, fail)
from autograder.items import visible


# -- numpy references ------------------------------------------------------------------------------
def ref_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def ref_output(params, X):
    """The network's output: ReLU hidden layers, sigmoid output (the notebook's provided model)."""
    A = X
    for layer, p in enumerate(params):
        Z = A @ p["W"] + p["b"]
        A = ref_sigmoid(Z) if layer == len(params) - 1 else np.maximum(0.0, Z)
    return A


def ref_make_circles(n, rng, noise=0.1):
    """The notebook's two-circles data: label 1 at radius < 0.8, label 0 at radius 1.2–2, plus noise."""
    labels = rng.integers(0, 2, size=n)
    radius = np.where(labels == 1, rng.uniform(0.0, 0.8, size=n), rng.uniform(1.2, 2.0, size=n))
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) + rng.normal(0.0, noise, size=(n, 2))
    return X, labels[:, None].astype(float)


def ref_sgd_update(params, grads, lr):
    return [{k: p[k] - lr * g[k] for k in p} for p, g in zip(params, grads)]


def ref_momentum_update(params, grads, velocity, lr, mu):
    new_velocity = [{k: mu * v[k] - lr * g[k] for k in v} for v, g in zip(velocity, grads)]
    return [{k: p[k] + v[k] for k in p} for p, v in zip(params, new_velocity)], new_velocity


# -- helpers ---------------------------------------------------------------------------------------
def random_structure(rng, sizes, scale=1.0):
    """A list of dicts {"W": (n_in, n_out), "b": (n_out,)} with normal entries."""
    return [{"W": rng.normal(0, scale, size=(a, b)), "b": rng.normal(0, scale, size=b)}
            for a, b in zip(sizes[:-1], sizes[1:])]


def random_sizes(rng):
    return [int(n) for n in rng.integers(1, 7, size=rng.integers(2, 6))]


def zeros_like(structure):
    return [{k: np.zeros_like(a) for k, a in d.items()} for d in structure]


def worker_rng(nb, seed):
    """A numpy Generator created in the student's process by the setup cell's `default_rng` (a handle)."""
    return nb.default_rng(seed)


def indexed_data(n, seed):
    """X (n, 3) whose column 0 is the row index, and 0/1 labels Y (n, 1)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.arange(n, dtype=float), rng.normal(size=(n, 2))])
    return X, rng.integers(0, 2, size=(n, 1)).astype(float)


def minibatches(nb, X, Y, batch_size, seed, shuffle):
    """The student's batches, checked for type, pairing and shapes (`expect_minibatches`), and their row order."""
    case = "%d rows, batch_size=%d, shuffle=%s" % (len(X), batch_size, shuffle)
    got = nb.iterate_minibatches(X, Y, batch_size, worker_rng(nb, seed), shuffle)
    return got, expect_minibatches(got, X, Y, "iterate_minibatches", case)


def expect_every_row_once(order, n, func, case):
    if len(order) != n or not np.array_equal(np.sort(order), np.arange(n)):
        missing = sorted(set(range(n)) - set(order.tolist()))
        fail(func, case, "the batches hold %d rows (%d distinct) instead of all %d rows once%s"
             % (len(order), len(set(order.tolist())), n,
                "; missing rows %s" % missing[:6] if missing else ""),
             "every sample must appear exactly once per epoch: keep the short last batch")


def config_text(config):
    return ", ".join("%s=%s" % item for item in config.items())


def train_call(nb, X, Y, layer_sizes, config, case):
    """Call the student's train and check the shape of what comes back: (params, history as floats)."""
    got = nb.train(X, Y, layer_sizes, config["epochs"], config["batch_size"], config["lr"], config["mu"],
                   config["seed"])
    expect_sequence(got, 2, "train", case, "a tuple (params, history)", "return the pair: the params and the history")
    expect_structure(got[0], random_structure(np.random.default_rng(0), layer_sizes), "train", case,
                     "the trained params")
    return got[0], expect_losses(got[1], config["epochs"], "train", case)


# -- items -----------------------------------------------------------------------------------------
@visible
def test_minibatch_order(nb):
    """iterate_minibatches with shuffle=False: consecutive batches in order, rows and labels paired"""
    for n, batch_size in ((12, 4), (10, 5), (6, 6)):
        X, Y = indexed_data(n, 400 + n)
        case = "%d rows, batch_size=%d, shuffle=False" % (n, batch_size)
        got = nb.iterate_minibatches(X, Y, batch_size, worker_rng(nb, 0), False)
        expect_minibatches(got, X, Y, "iterate_minibatches", case, in_order=batch_size)


def test_minibatch_last_batch(nb):
    """the last batch may be short: it is kept, and every sample is used exactly once (shuffled or not)"""
    for n, batch_size in ((10, 4), (23, 5), (7, 10), (5, 1)):
        X, Y = indexed_data(n, 410 + n)
        want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        for shuffle in (False, True):
            case = "%d rows, batch_size=%d, shuffle=%s" % (n, batch_size, shuffle)
            batches, order = minibatches(nb, X, Y, batch_size, 11 + n, shuffle)
            sizes = [len(Xb) for Xb, _ in batches]
            if sizes != want:
                fail("iterate_minibatches", case, "expected batch sizes %s, got %s" % (want, sizes),
                     "cut the rows into consecutive slices of batch_size and keep the short last one")
            expect_every_row_once(order, n, "iterate_minibatches", case)


def test_minibatch_shuffle(nb):
    """shuffle=True: a random permutation drawn from the rng passed in (same seed → same order)"""
    func = "iterate_minibatches"
    n, batch_size = 40, 8
    X, Y = indexed_data(n, 420)
    orders = {}
    for label, seed in (("a", 5), ("a again", 5), ("b", 6)):
        case = "%d rows, batch_size=%d, shuffle=True, a Generator seeded %d" % (n, batch_size, seed)
        _, orders[label] = minibatches(nb, X, Y, batch_size, seed, True)
        expect_every_row_once(orders[label], n, func, case)
        if np.array_equal(orders[label], np.arange(n)):
            fail(func, case, "the rows came back in their original order: nothing was shuffled",
                 "with shuffle=True take the rows in the order rng.permutation(len(X))")
    if not np.array_equal(orders["a"], orders["a again"]):
        fail(func, "two Generators with the same seed (5)", "the two calls gave different orders",
             "draw the permutation from the rng argument (rng.permutation), not from np.random")
    if np.array_equal(orders["a"], orders["b"]):
        fail(func, "Generators with seeds 5 and 6", "both gave the same order",
             "draw the permutation from the rng argument (rng.permutation), not from a fixed seed")


SGD_HINT = "w' = w − lr·∇C for every array (W and b of every layer)"


@visible
def test_sgd_update_values(nb):
    """sgd_update: w' = w − η∇C on a two-layer network"""
    rng = np.random.default_rng(430)
    params, grads = random_structure(rng, [3, 4, 2]), random_structure(rng, [3, 4, 2])
    expect_structure_close(nb.sgd_update(params, grads, 0.1), ref_sgd_update(params, grads, 0.1), "sgd_update",
                           "a 3-4-2 network, lr=0.1", "the new params", SGD_HINT)


def test_sgd_update_structures(nb):
    """sgd_update on random network shapes (1 to 4 layers) and learning rates, including lr = 0"""
    rng = np.random.default_rng(431)
    for lr in (0.0, 0.003, 0.5, 2.0):
        sizes = random_sizes(rng)
        params, grads = random_structure(rng, sizes, 3.0), random_structure(rng, sizes, 10.0)
        expect_structure_close(nb.sgd_update(params, grads, lr), ref_sgd_update(params, grads, lr), "sgd_update",
                               "layer sizes %s, lr=%s" % (sizes, lr), "the new params", SGD_HINT)


def momentum_steps(nb, params, velocity, grads_seq, lr, mu):
    """Yield (step, params before, velocity before, grads, new params, new velocity), feeding the student's
    outputs back in as a training loop would."""
    for step, grads in enumerate(grads_seq, 1):
        case = "step %d (lr=%s, mu=%s)" % (step, lr, mu)
        got = nb.momentum_update(params, grads, velocity, lr, mu)
        expect_sequence(got, 2, "momentum_update", case, "a tuple (new_params, new_velocity)",
                        "return the pair: the new params and the new velocity")
        new_params, new_velocity = got[0], got[1]
        expect_structure(new_params, params, "momentum_update", case, "new_params")
        expect_structure(new_velocity, params, "momentum_update", case, "new_velocity")
        yield case, params, velocity, grads, new_params, new_velocity
        params, velocity = new_params, new_velocity


VELOCITY_HINT = "v' = μ·v − lr·∇C: the gradient term has a minus sign, and the old velocity is scaled by μ"


@visible
def test_momentum_velocity(nb):
    """momentum_update's velocity v' = μv − η∇C: one step from a non-zero velocity, then 5-step sequences"""
    rng = np.random.default_rng(440)
    sizes = [3, 4, 2]
    params = random_structure(rng, sizes)
    for velocity, lr, mu, steps in ((random_structure(rng, sizes), 0.1, 0.9, 1), (zeros_like(params), 0.05, 0.9, 5),
                                    (random_structure(rng, sizes), 0.2, 0.5, 5)):
        grads_seq = [random_structure(rng, sizes) for _ in range(steps)]
        want = velocity
        for case, _, _, grads, _, new_velocity in momentum_steps(nb, params, velocity, grads_seq, lr, mu):
            want = ref_momentum_update(params, grads, want, lr, mu)[1]      # v' does not depend on the params
            expect_structure_close(new_velocity, want, "momentum_update", case, "new_velocity", VELOCITY_HINT)


def test_momentum_params(nb):
    """momentum_update's parameters w' = w + v' (with its own new velocity), over multi-step sequences"""
    rng = np.random.default_rng(441)
    for lr, mu in ((0.1, 0.9), (0.01, 0.5), (1.0, 0.99)):
        sizes = random_sizes(rng)
        params = random_structure(rng, sizes)
        grads_seq = [random_structure(rng, sizes) for _ in range(4)]
        for case, p, _, _, new_params, new_velocity in momentum_steps(nb, params, zeros_like(params),
                                                                       grads_seq, lr, mu):
            case = "layer sizes %s, %s" % (sizes, case)
            want = [{k: d[k] + np.asarray(v[k]) for k in d} for d, v in zip(p, new_velocity)]
            expect_structure_close(new_params, want, "momentum_update", case, "new_params",
                                   "w' = w + v', adding the NEW velocity (it already holds the minus sign of "
                                   "the gradient step)")


def expect_structures_unchanged(before, after, func, what):
    for layer, (b, a) in enumerate(zip(before, after)):
        for key in b:
            if not np.array_equal(b[key], a[key]):
                fail(func, "its inputs", "it modified %s[%d][%r] in place" % (what, layer, key),
                     "build new arrays (p[\"W\"] - lr * g[\"W\"]); `-=`, `+=` and `*=` change the caller's arrays")


def test_updates_no_mutation(nb):
    """sgd_update and momentum_update return new arrays and leave params, grads and velocity unchanged"""
    rng = np.random.default_rng(450)
    sizes = [4, 3, 2]
    params, grads, velocity = (random_structure(rng, sizes) for _ in range(3))
    call = nb.inspect("sgd_update", params, grads, 0.1)
    for before, after, what in zip((params, grads), call.args, ("params", "grads")):
        expect_structures_unchanged(before, after, "sgd_update", what)
    call = nb.inspect("momentum_update", params, grads, velocity, 0.1, 0.9)
    for before, after, what in zip((params, grads, velocity), call.args, ("params", "grads", "velocity")):
        expect_structures_unchanged(before, after, "momentum_update", what)


HISTORY_CONFIG = {"epochs": 8, "batch_size": 16, "lr": 0.05, "mu": 0.9, "seed": 3}
ACCURACY_CONFIG = {"epochs": 10, "batch_size": 32, "lr": 0.05, "mu": 0.9, "seed": 4}


@visible
def test_train_history(nb):
    """train's history: one training-set loss per epoch, the last one that of the returned params, decreasing"""
    X, Y = ref_make_circles(200, np.random.default_rng(460))
    case = "200 two-circles points, layer_sizes [2, 8, 1], %s" % config_text(HISTORY_CONFIG)
    params, history = train_call(nb, X, Y, [2, 8, 1], HISTORY_CONFIG, case)
    # The notebook's own loss (a locked cell, restored by the grader) measures the returned params.
    expect_close(history[-1], nb.loss(params, X, Y), "train", case + " — the last entry of history",
                 "after each epoch's updates append loss(params, X, Y), the loss of the current params on "
                 "the whole training set (not a sum or mean of minibatch losses)", rtol=1e-6, atol=1e-9)
    expect_decreasing(history, "train", case,
                      "update params with the returned new values after every batch; check the update's signs")


def test_train_accuracy(nb):
    """train on the two circles reaches ≥ 95 % accuracy on held-out data (grader's own forward pass)"""
    rng = np.random.default_rng(470)
    X, Y = ref_make_circles(400, rng)
    X_test, Y_test = ref_make_circles(1000, rng)
    case = "400 two-circles points, layer_sizes [2, 16, 1], %s" % config_text(ACCURACY_CONFIG)
    params, _ = train_call(nb, X, Y, [2, 16, 1], ACCURACY_CONFIG, case)
    with np.errstate(all="ignore"):
        acc = float(np.mean((ref_output(params, X_test) >= 0.5) == Y_test))
    if not acc >= 0.95:
        fail("train", case, "held-out accuracy %.1f %%, expected at least 95 %%" % (100 * acc),
             "update after every minibatch with momentum_update(params, grads, velocity, lr, mu), using lr as "
             "given (the gradients are already averaged over the batch)")
