"""Assignment 04 — minibatches, SGD, momentum and a training loop. Each `test_<item>` is one graded item.

Parameters, gradients and velocities are lists of dicts {"W": (n_in, n_out), "b": (n_out,)}; the
notebook counts layers from 1 (`forward` returns [X, A1, ..., A_out]), so messages name params[0] as
layer 1. The Generators passed to `iterate_minibatches` live in the student's process: the suite makes
them with the notebook's own `default_rng` (imported by the locked setup cell) and passes the handles.
"""
import numpy as np

from autograder.expect import (expect_all_close, expect_close, expect_decreasing, expect_losses,
                               expect_minibatches, expect_sequence, expect_structure, fail, known, likely_cause)
from autograder.items import item
from autograder.worker.failures import ItemFailure
from autograder.suites.references import ref_sigmoid

# The assignment: its title, its due date (UTC) and, for 07, its grading settings. Each item declares its
# points with @item below. grading_config.ASSIGNMENTS["04_sgd"] overrides any of these for a course.
ASSIGNMENT = {
    "title": "Stochastic gradient descent and momentum",
    "due": "2026-12-25 23:59:00 UTC",
}

# The items of the functions `train` calls: train's items run on the student's own versions of them.
TRAINING_PARTS = ("minibatch_order", "minibatch_last_batch", "minibatch_shuffle", "momentum_velocity",
                  "momentum_params")

# The notebook's written contract, clause by clause, with the items that exercise each clause.
CONTRACT = [
    ("iterate_minibatches returns the batches as (Xb, Yb) tuples, in a list or one by one from a generator",
     ["minibatch_order", "minibatch_last_batch"]),
    ("rows of X and Y stay paired: Yb[j] is the label of Xb[j]", ["minibatch_order", "minibatch_shuffle"]),
    ("shuffle=True: the order is a random permutation drawn from rng (the same seed gives the same batches)",
     ["minibatch_shuffle"]),
    ("shuffle defaults to True", ["minibatch_shuffle"]),
    ("shuffle=False: the batches are X[0:batch_size], X[batch_size:2*batch_size], ... in order",
     ["minibatch_order"]),
    ("all batches have batch_size rows except possibly the last, which is kept: every sample once per epoch",
     ["minibatch_last_batch"]),
    ("iterate_minibatches leaves X and Y unchanged (functions never modify their inputs)", ["minibatch_shuffle"]),
    ("sgd_update returns new params of the same structure, w' = w − lr·∇C for every array (W and b)",
     ["sgd_update_values", "sgd_update_structures"]),
    ("sgd_update works for any number of layers and any lr, lr = 0 included", ["sgd_update_structures"]),
    ("sgd_update modifies neither params nor grads (no -=, no new arrays put into the caller's dicts)",
     ["updates_no_mutation"]),
    ("momentum_update returns the tuple (new_params, new_velocity), both with the structure of params",
     ["momentum_velocity", "momentum_params"]),
    ("momentum_update's velocity: v' = μv − η∇C", ["momentum_velocity"]),
    ("momentum_update's parameters: w' = w + v', with the new velocity", ["momentum_params"]),
    ("momentum_update modifies none of its arguments", ["updates_no_mutation"]),
    ("train returns (params, history): params with the structure of init_params(layer_sizes), one history "
     "entry per epoch", ["train_history", "train_accuracy"]),
    ("history[e] is loss(params, X, Y) on the whole training set after epoch e: history[-1] is the loss of "
     "the returned params", ["train_history"]),
    ("train's randomness comes from default_rng(seed): the same seed gives the same training", ["train_accuracy"]),
    ("train updates params and velocity with momentum_update after every minibatch, using lr as given (the "
     "gradients are already averaged over the batch)", ["train_history", "train_accuracy"]),
]


# -- numpy references (the notebook's provided model, re-implemented) -----------------------------
def ref_output(params, X):
    """The network's output: ReLU hidden layers, sigmoid output (the notebook's provided model)."""
    A = X
    for layer, p in enumerate(params):
        Z = A @ p["W"] + p["b"]
        A = ref_sigmoid(Z) if layer == len(params) - 1 else np.maximum(0.0, Z)
    return A


def ref_loss_and_grads(params, X, Y):
    """The notebook's `loss_and_grads`: (mean cross-entropy, gradients averaged over the rows)."""
    activations = [X]
    for layer, p in enumerate(params):
        Z = activations[-1] @ p["W"] + p["b"]
        activations.append(ref_sigmoid(Z) if layer == len(params) - 1 else np.maximum(0.0, Z))
    delta = (activations[-1] - Y) / len(X)
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        grads[layer] = {"W": activations[layer].T @ delta, "b": delta.sum(axis=0)}
        if layer > 0:
            delta = (delta @ params[layer]["W"].T) * (activations[layer] > 0)
    return ref_cross_entropy(activations[-1], Y), grads


def ref_cross_entropy(A, Y):
    A = np.clip(A, 1e-12, 1 - 1e-12)
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def ref_make_circles(n, rng, noise=0.1):
    """The notebook's two-circles data: label 1 at radius < 0.8, label 0 at radius 1.2–2, plus noise."""
    labels = rng.integers(0, 2, size=n)
    radius = np.where(labels == 1, rng.uniform(0.0, 0.8, size=n), rng.uniform(1.2, 2.0, size=n))
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) + rng.normal(0.0, noise, size=(n, 2))
    return X, labels[:, None].astype(float)


def ref_batches(X, Y, batch_size, rng, shuffle=True, drop_last=False):
    order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    return [(X[order[s:s + batch_size]], Y[order[s:s + batch_size]]) for s in range(0, stop, batch_size)]


def ref_sgd_update(params, grads, lr):
    return [{k: p[k] - lr * g[k] for k in p} for p, g in zip(params, grads)]


def ref_momentum_update(params, grads, velocity, lr, mu):
    new_velocity = [{k: mu * v[k] - lr * g[k] for k in v} for v, g in zip(velocity, grads)]
    return [{k: p[k] + v[k] for k in p} for p, v in zip(params, new_velocity)], new_velocity


def ref_train(X, Y, layer_sizes, epochs, batch_size, lr, mu, seed, misconception=None):
    """The notebook's train, step by step (so a misconception's exact wrong result can be computed)."""
    rng = np.random.default_rng(seed)
    params = [{"W": rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b)), "b": np.zeros(b)}
              for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]
    history = []
    velocity = zeros_like(params)
    for _ in range(epochs):
        start, batch_losses = ref_loss_and_grads(params, X, Y)[0], []
        if misconception == "velocity reset":
            velocity = zeros_like(params)
        for Xb, Yb in ref_batches(X, Y, batch_size, rng):
            batch_loss, grads = ref_loss_and_grads(params, Xb, Yb)
            batch_losses.append(batch_loss)
            step = {"lr / m": lr / len(Xb), "lr * m": lr * len(Xb)}.get(misconception, lr)
            params, velocity = ref_momentum_update(params, grads, velocity, step,
                                                   0.0 if misconception == "no momentum" else mu)
        history.append({"sum": sum(batch_losses), "mean": np.mean(batch_losses), "before": start}.get(
            misconception, ref_loss_and_grads(params, X, Y)[0]))
    return params, history


# -- known misconceptions: for each function, what it returns when the student made that mistake ----
def _per_array(rule):
    """A structure-wide update from a per-array rule(p, g, *scalars)."""
    return lambda params, grads, *scalars: [{k: rule(p[k], g[k], *scalars) for k in p}
                                            for p, g in zip(params, grads)]


def _momentum(velocity_rule, params_rule):
    def update(params, grads, velocity, lr, mu):
        new_velocity = [{k: velocity_rule(v[k], g[k], lr, mu) for k in v} for v, g in zip(velocity, grads)]
        new_params = [{k: params_rule(p[k], v[k], nv[k], g[k], lr) for k in p}
                      for p, v, nv, g in zip(params, velocity, new_velocity, grads)]
        return new_params, new_velocity
    update.velocity_rule, update.params_rule = velocity_rule, params_rule
    return update


def _correct_velocity(v, g, lr, mu):
    return mu * v - lr * g


def _trained(misconception):
    return lambda X, Y, layer_sizes, epochs, batch_size, lr, mu, seed: ref_train(
        X, Y, layer_sizes, epochs, batch_size, lr, mu, seed, misconception)


MISCONCEPTIONS = {
    "iterate_minibatches": [
        ("the short last batch was dropped (len(X) // batch_size batches): the samples in it are never used",
         lambda X, Y, batch_size, rng, shuffle=True: ref_batches(X, Y, batch_size, rng, shuffle, drop_last=True)),
        ("shuffle was ignored: the rows always come in their original order",
         lambda X, Y, batch_size, rng, shuffle=True: ref_batches(X, Y, batch_size, rng, False)),
    ],
    "sgd_update": [
        ("you added the gradient step (w + lr·∇C): gradient descent moves against the gradient",
         _per_array(lambda p, g, lr: p + lr * g)),
        ("the learning rate is missing: w − ∇C", _per_array(lambda p, g, lr: p - g)),
        ("only W was updated: the biases b need the same step, b − lr·∇C",
         lambda params, grads, lr: [{k: p[k] - lr * g[k] if k == "W" else p[k] for k in p}
                                    for p, g in zip(params, grads)]),
        ("you returned the step lr·∇C instead of the new parameters w − lr·∇C", _per_array(lambda p, g, lr: lr * g)),
        ("you returned the step −lr·∇C instead of the new parameters w − lr·∇C",
         _per_array(lambda p, g, lr: -lr * g)),
    ],
    "momentum_update": [
        ("v' = μv + η∇C: the gradient term of the velocity needs a minus sign",
         _momentum(lambda v, g, lr, mu: mu * v + lr * g, lambda p, v, nv, g, lr: p + nv)),
        ("w' = w − v': the velocity already holds the minus sign of the step, so the parameters add it",
         _momentum(_correct_velocity, lambda p, v, nv, g, lr: p - nv)),
        ("w' = w + v, with the old velocity: the parameters move by the NEW velocity v'",
         _momentum(_correct_velocity, lambda p, v, nv, g, lr: p + v)),
        ("μ is missing: v' = v − η∇C (the old velocity must be scaled by μ)",
         _momentum(lambda v, g, lr, mu: v - lr * g, lambda p, v, nv, g, lr: p + nv)),
        ("the learning rate is missing: v' = μv − ∇C",
         _momentum(lambda v, g, lr, mu: mu * v - g, lambda p, v, nv, g, lr: p + nv)),
        ("lr and μ are swapped: v' = ηv − μ∇C",
         _momentum(lambda v, g, lr, mu: lr * v - mu * g, lambda p, v, nv, g, lr: p + nv)),
        ("the exponential-average form v' = μv + (1 − μ)∇C, w' = w − ηv' is not the slides' momentum "
         "(v' = μv − η∇C, w' = w + v')",
         _momentum(lambda v, g, lr, mu: mu * v + (1 - mu) * g, lambda p, v, nv, g, lr: p - lr * nv)),
        ("plain SGD: the parameters moved by −η∇C, without the velocity",
         _momentum(_correct_velocity, lambda p, v, nv, g, lr: p - lr * g)),
    ],
    "train": [
        ("history holds the sum of the epoch's minibatch losses, not loss(params, X, Y) on the whole training "
         "set", _trained("sum")),
        ("history holds the mean of the epoch's minibatch losses (each measured before its update), not the "
         "loss of the params after the epoch", _trained("mean")),
        ("history is appended before the epoch's updates: each entry is one epoch late", _trained("before")),
        ("lr was divided by the batch size, but the gradients of loss_and_grads are already averaged over the "
         "batch", _trained("lr / m")),
        ("lr was multiplied by the batch size (as if the minibatch loss were summed instead of averaged)",
         _trained("lr * m")),
        ("μ was not used: plain SGD instead of momentum", _trained("no momentum")),
        ("the velocity was reset to zero at every epoch: it must carry over from batch to batch for the whole "
         "training", _trained("velocity reset")),
    ],
}


def known_part(func, part, *args):
    """`known(MISCONCEPTIONS, func, *args)` for one part of a structured answer: `part(result)` picks it,
    e.g. the new velocity's layer 1 "W" from momentum_update's (new_params, new_velocity)."""
    return known({func: [(cause, lambda *a, wrong=wrong: part(wrong(*a))) for cause, wrong in MISCONCEPTIONS[func]]},
                 func, *args)


def cause_of(func, name):
    return next(cause for cause, _ in MISCONCEPTIONS[func] if cause.startswith(name))


# -- helpers ---------------------------------------------------------------------------------------
def random_structure(rng, sizes, scale=1.0):
    """A list of dicts {"W": (n_in, n_out), "b": (n_out,)} with normal entries."""
    return [{"W": rng.normal(0, scale, size=(a, b)), "b": rng.normal(0, scale, size=b)}
            for a, b in zip(sizes[:-1], sizes[1:])]


def random_sizes(rng):
    return [int(n) for n in rng.integers(1, 7, size=rng.integers(2, 6))]


def zeros_like(structure):
    return [{k: np.zeros_like(a) for k, a in d.items()} for d in structure]


def entry(what, layer, key):
    """How the messages name one array: by its index, and by the notebook's layer number (from 1)."""
    return "%s[%d][\"%s\"] (layer %d)" % (what, layer, key, layer + 1)


def layer_cases(got, expected, what, case, wrong):
    """expect_all_close cases, one per array of every layer; wrong(layer, key) gives its known= list."""
    return [["%s — %s" % (case, entry(what, i, key)), got[i][key], ref[key], wrong(i, key)]
            for i, ref in enumerate(expected) for key in sorted(ref)]


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


def expect_every_row_once(order, n, func, case, cause=""):
    if len(order) != n or not np.array_equal(np.sort(order), np.arange(n)):
        missing = sorted(set(range(n)) - set(order.tolist()))
        fail(func, case, "the batches hold %d rows (%d distinct) instead of all %d rows once%s%s"
             % (len(order), len(set(order.tolist())), n,
                "; missing rows %s" % missing[:6] if missing else "", cause),
             "every sample must appear exactly once per epoch: keep the short last batch")


def config_text(config):
    return ", ".join("%s=%s" % item for item in config.items())


def train_args(X, Y, layer_sizes, config):
    return (X, Y, layer_sizes, config["epochs"], config["batch_size"], config["lr"], config["mu"], config["seed"])


def train_call(nb, args, case):
    """Call the student's train and check the shape of what comes back: (params, history as floats)."""
    got = nb.train(*args)
    expect_sequence(got, 2, "train", case, "a tuple (params, history)", "return the pair: the params and the history")
    expect_structure(got[0], random_structure(np.random.default_rng(0), args[2]), "train", case,
                     "the trained params")
    return got[0], expect_losses(got[1], args[3], "train", case)


def summarize(func, groups, hint=""):
    """Hidden items: `expect_all_close` on each (label, cases) group (one call of the student's function),
    then one message for all of them: how many calls fail, which, and the first failure in full."""
    failures = []
    for label, cases in groups:
        try:
            expect_all_close(cases, func, hint)
        except ItemFailure as exc:
            failures.append((label, str(exc)))
    if len(failures) == 1:
        raise ItemFailure(failures[0][1])
    if failures:
        labels = [f[0] for f in failures]
        raise ItemFailure("`%s` fails on %d of %d inputs (%s). The first:\n%s"
                          % (func, len(failures), len(groups),
                             "; ".join(labels[:3]) + ("; …" if len(labels) > 3 else ""), failures[0][1]))


# -- items -----------------------------------------------------------------------------------------
@item(points=2, visible=True)
def test_minibatch_order(nb):
    """iterate_minibatches with shuffle=False: consecutive batches in order, rows and labels paired"""
    for n, batch_size in ((12, 4), (10, 5), (6, 6)):
        X, Y = indexed_data(n, 400 + n)
        case = "%d rows, batch_size=%d, shuffle=False" % (n, batch_size)
        got = nb.iterate_minibatches(X, Y, batch_size, worker_rng(nb, 0), False)
        expect_minibatches(got, X, Y, "iterate_minibatches", case, in_order=batch_size)


@item(points=2)
def test_minibatch_last_batch(nb):
    """the last batch may be short: it is kept, and every sample is used exactly once (shuffled or not)"""
    func, problems, cases = "iterate_minibatches", [], 0
    for n, batch_size in ((10, 4), (23, 5), (7, 10), (5, 1)):
        X, Y = indexed_data(n, 410 + n)
        want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        dropped = [batch_size] * (n // batch_size)
        for shuffle in (False, True):
            cases += 1
            case = "%d rows, batch_size=%d, shuffle=%s" % (n, batch_size, shuffle)
            batches, order = minibatches(nb, X, Y, batch_size, 11 + n, shuffle)
            sizes = [len(Xb) for Xb, _ in batches]
            if sizes != want:
                problems.append((case, "expected batch sizes %s, got %s" % (want, sizes), sizes == dropped))
                continue
            expect_every_row_once(order, n, func, case)
    if problems:
        everywhere = all(drop for _, _, drop in problems)
        fail(func, problems[0][0] if len(problems) == 1 else "%d of %d inputs (%s); the first, %s"
             % (len(problems), cases, "; ".join(p[0] for p in problems), problems[0][0]),
             problems[0][1] + (likely_cause(cause_of(func, "the short last batch")) if everywhere else ""),
             "cut the rows into consecutive slices of batch_size and keep the short last one")


@item(points=2)
def test_minibatch_shuffle(nb):
    """shuffle=True: a random permutation drawn from the rng passed in (same seed → same order)"""
    func = "iterate_minibatches"
    n, batch_size = 40, 8
    X, Y = indexed_data(n, 420)
    orders = {}
    for label, seed in (("a", 5), ("a again", 5), ("b", 6)):
        case = "%d rows, batch_size=%d, shuffle=True, a Generator seeded %d" % (n, batch_size, seed)
        call = nb.inspect(func, X, Y, batch_size, worker_rng(nb, seed), True)
        for name, before, left in (("X", X, call.args[0]), ("Y", Y, call.args[1])):
            if not (isinstance(left, np.ndarray) and np.array_equal(before, left)):
                fail(func, case, "it modified %s in place (the caller's rows were reordered or changed)" % name,
                     "shuffle an index array instead, order = rng.permutation(len(X)), and take X[order] and "
                     "Y[order]; rng.shuffle(X) reorders the caller's data")
        orders[label] = expect_minibatches(call.value, X, Y, func, case)
        expect_every_row_once(orders[label], n, func, case)
        if np.array_equal(orders[label], np.arange(n)):
            fail(func, case, "the rows came back in their original order: nothing was shuffled"
                 + likely_cause(cause_of(func, "shuffle was ignored")),
                 "with shuffle=True take the rows in the order rng.permutation(len(X))")
    if not np.array_equal(orders["a"], orders["a again"]):
        fail(func, "two Generators with the same seed (5)", "the two calls gave different orders"
             + likely_cause("the permutation was drawn from np.random (the global generator), not from the rng "
                            "argument"),
             "draw the permutation from the rng argument (rng.permutation), not from np.random")
    if np.array_equal(orders["a"], orders["b"]):
        fail(func, "Generators with seeds 5 and 6", "both gave the same order"
             + likely_cause("the permutation comes from a fixed seed, not from the rng argument"),
             "draw the permutation from the rng argument (rng.permutation), not from a fixed seed")
    case = "%d rows, batch_size=%d, no shuffle argument, a Generator seeded 5" % (n, batch_size)
    default = expect_minibatches(nb.iterate_minibatches(X, Y, batch_size, worker_rng(nb, 5)), X, Y, func, case)
    if not np.array_equal(default, orders["a"]):
        fail(func, case, "the batches differ from those of shuffle=True with the same seed%s"
             % (": nothing was shuffled" if np.array_equal(default, np.arange(n)) else ""),
             "keep the signature iterate_minibatches(X, Y, batch_size, rng, shuffle=True): shuffling is the "
             "default")


SGD_HINT = "w' = w − lr·∇C for every array (W and b of every layer)"


def sgd_cases(got, params, grads, lr, case):
    return layer_cases(got, ref_sgd_update(params, grads, lr), "new params", case,
                       lambda i, key: known_part("sgd_update", lambda r: r[i][key], params, grads, lr))


@item(points=2, visible=True)
def test_sgd_update_values(nb):
    """sgd_update: w' = w − η∇C on a two-layer network"""
    rng = np.random.default_rng(430)
    params, grads = random_structure(rng, [3, 4, 2]), random_structure(rng, [3, 4, 2])
    case = "a 3-4-2 network, lr=0.1"
    got = nb.sgd_update(params, grads, 0.1)
    expect_structure(got, params, "sgd_update", case, "the new params")
    expect_all_close(sgd_cases(got, params, grads, 0.1, case), "sgd_update", SGD_HINT)


@item(points=1)
def test_sgd_update_structures(nb):
    """sgd_update on random network shapes (1 to 4 layers) and learning rates, including lr = 0"""
    rng = np.random.default_rng(431)
    groups = []
    for lr in (0.0, 0.003, 0.5, 2.0):
        sizes = random_sizes(rng)
        params, grads = random_structure(rng, sizes, 3.0), random_structure(rng, sizes, 10.0)
        case = "layer sizes %s, lr=%s" % (sizes, lr)
        got = nb.sgd_update(params, grads, lr)
        expect_structure(got, params, "sgd_update", case, "the new params")
        groups.append((case, sgd_cases(got, params, grads, lr, case)))
    summarize("sgd_update", groups, SGD_HINT)


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


@item(points=2, visible=True)
def test_momentum_velocity(nb):
    """momentum_update's velocity v' = μv − η∇C: one step from a non-zero velocity, then 5-step sequences"""
    rng = np.random.default_rng(440)
    sizes = [3, 4, 2]
    params = random_structure(rng, sizes)
    for velocity, lr, mu, steps in ((random_structure(rng, sizes), 0.1, 0.9, 1), (zeros_like(params), 0.05, 0.9, 5),
                                    (random_structure(rng, sizes), 0.2, 0.5, 5)):
        grads_seq = [random_structure(rng, sizes) for _ in range(steps)]
        want = (params, velocity)
        # a misconception made at every step gives its own sequence of velocities
        wrong = [(cause, update, (params, velocity)) for cause, update in MISCONCEPTIONS["momentum_update"]]
        cases = []
        for case, _, _, grads, _, new_velocity in momentum_steps(nb, params, velocity, grads_seq, lr, mu):
            want = ref_momentum_update(want[0], grads, want[1], lr, mu)
            wrong = [(cause, update, update(state[0], grads, state[1], lr, mu)) for cause, update, state in wrong]
            cases += layer_cases(new_velocity, want[1], "new_velocity", case,
                                 lambda i, key, wrong=wrong: [[np.asarray(state[1][i][key]), cause]
                                                              for cause, _, state in wrong])
        expect_all_close(cases, "momentum_update", VELOCITY_HINT)


@item(points=2)
def test_momentum_params(nb):
    """momentum_update's parameters w' = w + v' (with its own new velocity), over multi-step sequences"""
    rng = np.random.default_rng(441)
    groups = []
    for lr, mu in ((0.1, 0.9), (0.01, 0.5), (1.0, 0.99)):
        sizes = random_sizes(rng)
        params = random_structure(rng, sizes)
        grads_seq = [random_structure(rng, sizes) for _ in range(4)]
        for case, p, v, g, new_params, new_velocity in momentum_steps(nb, params, zeros_like(params),
                                                                       grads_seq, lr, mu):
            case = "layer sizes %s, %s" % (sizes, case)
            want = [{k: d[k] + np.asarray(nv[k]) for k in d} for d, nv in zip(p, new_velocity)]
            groups.append((case, layer_cases(new_params, want, "new_params", case,
                                             lambda i, key, a=(p, v, new_velocity, g, lr): params_known(i, key, *a))))
    summarize("momentum_update", groups, "w' = w + v', adding the NEW velocity (it already holds the minus sign "
                                         "of the gradient step)")


def params_known(i, key, params, velocity, new_velocity, grads, lr):
    """The known= list of new_params[i][key] for the parameter-step misconceptions, on the student's own new
    velocity (a wrong velocity is momentum_velocity's business)."""
    found = []
    for cause, update in MISCONCEPTIONS["momentum_update"]:
        if update.velocity_rule is _correct_velocity:
            try:
                found.append([np.asarray(update.params_rule(params[i][key], velocity[i][key], np.asarray(
                    new_velocity[i][key], dtype=float), grads[i][key], lr), dtype=float), cause])
            except (TypeError, ValueError):
                continue
    return found


# -- no mutation: what changed in the caller's structures, and how --------------------------------
def first_change(before, after, what):
    """(entry, "values" | "replaced" | "structure") of the first array of `before` that is not as it was in
    `after` (the argument after the call), or None."""
    if not isinstance(after, list) or len(after) != len(before):
        return what, "structure"
    for layer, (b, a) in enumerate(zip(before, after)):
        if not isinstance(a, dict) or set(a) != set(b):
            return "%s[%d] (layer %d)" % (what, layer, layer + 1), "structure"
        for key in sorted(b):
            if not (isinstance(a[key], np.ndarray) and a[key].shape == b[key].shape
                    and np.array_equal(a[key], b[key])):
                return entry(what, layer, key), "values"
    return None


PROMOTES = np.result_type(np.float32, np.float64(1.0)) == np.float64      # NumPy ≥ 2 (NEP 50)


def how_changed(nb, func, args, names, position, layer, key):
    """"in place" or "replaced": call again with float32 arrays and float64 scalars. An in-place update
    (-=, *=, out=) keeps the caller's float32 array; new arrays put into the caller's dicts are float64."""
    if not PROMOTES:
        return None
    probe = [[{k: np.asarray(a, dtype=np.float32) for k, a in d.items()} for d in arg] if isinstance(arg, list)
             else np.float64(arg) for arg in args]
    try:
        after = nb.inspect(func, *probe).args[position][layer][key]
    except Exception:          # the student's function or its result behaves differently: no verdict
        return None
    if not isinstance(after, np.ndarray) or np.array_equal(after, probe[position][layer][key]):
        return None
    return "in place" if after.dtype == np.float32 else "replaced"


MUTATION_HINTS = {
    "in place": "build new arrays (p[\"W\"] - lr * g[\"W\"]); `-=`, `+=` and `*=` change the caller's arrays",
    "replaced": "build a new list of new dicts for the result ([{k: p[k] - lr * g[k] for k in p} for ...]); "
                "assigning p[\"W\"] = ... or params[i] = ... changes the caller's list and dicts",
    None: "return a new list of new dicts with new arrays, and leave the caller's lists, dicts and arrays as "
          "they were",
}


def expect_arguments_unchanged(nb, func, args, names):
    call = nb.inspect(func, *args)
    for position, (before, left, what) in enumerate(zip(args, call.args, names)):
        if not isinstance(before, list):
            continue
        change = first_change(before, left, what)
        if change is None:
            continue
        where, kind = change
        if kind == "values":
            layer, key = int(where.split("[")[1].rstrip("]")), where.split("\"")[1]
            kind = how_changed(nb, func, args, names, position, layer, key)
            problem = {"in place": "it modified the caller's array %s in place" % where,
                       "replaced": "it put a new array into the caller's dict: after the call %s is a different "
                                   "array (the old array itself was not modified, but the caller's %s changed)"
                                   % (where, what),
                       None: "it changed the caller's %s" % where}[kind]
        else:
            problem, kind = "it changed the structure of the caller's %s (layers or keys)" % where, None
        fail(func, "its inputs", problem, MUTATION_HINTS[kind])


@item(points=2)
def test_updates_no_mutation(nb):
    """sgd_update and momentum_update return new arrays and leave params, grads and velocity unchanged"""
    rng = np.random.default_rng(450)
    sizes = [4, 3, 2]
    params, grads, velocity = (random_structure(rng, sizes) for _ in range(3))
    expect_arguments_unchanged(nb, "sgd_update", (params, grads, 0.1), ("params", "grads"))
    expect_arguments_unchanged(nb, "momentum_update", (params, grads, velocity, 0.1, 0.9),
                               ("params", "grads", "velocity"))


HISTORY_CONFIG = {"epochs": 8, "batch_size": 16, "lr": 0.05, "mu": 0.9, "seed": 3}
ACCURACY_CONFIG = {"epochs": 10, "batch_size": 32, "lr": 0.05, "mu": 0.9, "seed": 4}
HISTORY_MISCONCEPTIONS = ("history holds", "history is")


@item(points=2, after=TRAINING_PARTS, visible=True)
def test_train_history(nb):
    """train's history: one training-set loss per epoch, the last one that of the returned params, decreasing"""
    X, Y = ref_make_circles(200, np.random.default_rng(460))
    case = "200 two-circles points, layer_sizes [2, 8, 1], %s" % config_text(HISTORY_CONFIG)
    args = train_args(X, Y, [2, 8, 1], HISTORY_CONFIG)
    params, history = train_call(nb, args, case)
    # The notebook's own loss (a locked cell, restored by the grader) measures the returned params.
    wrong = [[w, cause] for w, cause in known_part("train", lambda r: r[1][-1], *args)
             if cause.startswith(HISTORY_MISCONCEPTIONS)]
    expect_close(history[-1], nb.loss(params, X, Y), "train", case + " — the last entry of history",
                 "after each epoch's updates append loss(params, X, Y), the loss of the current params on "
                 "the whole training set (not a sum or mean of minibatch losses)", rtol=1e-6, atol=1e-9, known=wrong)
    expect_decreasing(history, "train", case,
                      "update params with the returned new values after every batch; check the update's signs")


def expect_reproducible(nb, args, history, case):
    """The same seed gives the same history, unless the student's iterate_minibatches is what is not
    reproducible (minibatch_shuffle charges that)."""
    _, again = train_call(nb, args, case + ", called a second time")
    if np.allclose(again, history, rtol=1e-9, atol=1e-12):
        return
    X, Y, batch_size = args[0], args[1], args[4]
    try:
        orders = [[np.asarray(Xb).tolist()
                   for Xb, _ in nb.iterate_minibatches(X, Y, batch_size, worker_rng(nb, 0), True)] for _ in range(2)]
    except Exception:       # iterate_minibatches fails its own items
        return
    if orders[0] != orders[1]:
        return
    fail("train", case + " — called twice with the same seed",
         "the two histories differ (%s, then %s)" % (np.round(history, 4).tolist(), np.round(again, 4).tolist()),
         "all randomness comes from rng = np.random.default_rng(seed): init_params(layer_sizes, rng) and "
         "iterate_minibatches(X, Y, batch_size, rng, shuffle=True)")


@item(points=3, after=TRAINING_PARTS)
def test_train_accuracy(nb):
    """train is reproducible (same seed, same result) and reaches ≥ 95 % held-out accuracy on the two circles"""
    rng = np.random.default_rng(470)
    X, Y = ref_make_circles(400, rng)
    X_test, Y_test = ref_make_circles(1000, rng)
    case = "400 two-circles points, layer_sizes [2, 16, 1], %s" % config_text(ACCURACY_CONFIG)
    args = train_args(X, Y, [2, 16, 1], ACCURACY_CONFIG)
    params, history = train_call(nb, args, case)
    expect_reproducible(nb, args, history, case)
    with np.errstate(all="ignore"):
        acc = float(np.mean((ref_output(params, X_test) >= 0.5) == Y_test))
    hint = ("update after every minibatch with momentum_update(params, grads, velocity, lr, mu), using lr as given "
            "(the gradients are already averaged over the batch) and the velocity carried from batch to batch")
    cause = trained_misconception(params, args)
    if cause:       # exactly the training of a known mistake (which may or may not reach 95 %)
        fail("train", case, "the trained params are those of a training that breaks step 2 of the notebook "
             "(held-out accuracy %.1f %%)" % (100 * acc) + likely_cause(cause), hint)
    if not acc >= 0.95:
        fail("train", case, "held-out accuracy %.1f %%, expected at least 95 %%" % (100 * acc), hint)


def trained_misconception(params, args):
    """The known training mistake whose exact result the student's params are (and the notebook's own is not)."""
    flat = lambda structure: np.concatenate([np.ravel(d[k]) for d in structure for k in sorted(d)]).astype(float)  # noqa: E731
    got = flat(params)
    if np.allclose(got, flat(ref_train(*args)[0]), rtol=1e-6, atol=1e-9):
        return None
    return next((cause for cause, wrong in MISCONCEPTIONS["train"] if not cause.startswith(HISTORY_MISCONCEPTIONS)
                 and np.allclose(got, flat(wrong(*args)[0]), rtol=1e-6, atol=1e-9)), None)
