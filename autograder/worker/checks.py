"""The checks' vocabulary: comparisons that fail with a message that teaches (function, input,
expected vs got, hint).

Suites call them through `autograder.expect` (which fills in the course's tolerances); a visible
item's compiled program names them step by step, and the shipped runtime runs the same functions
in the student's kernel, so every grader gives the same verdict and message.
"""
import numpy as np

from .failures import ItemFailure
from .wire import Opaque

STRUCTURE_HINT = "return a list with one dict {\"W\": ..., \"b\": ...} per layer, like the params you were given"


def fail(func, case, problem, hint="", known=()):
    """Fail the item: "`func` on case: problem", then "Likely cause: " the first misconception of
    `known` (the ones the caller found to apply), then the hint."""
    lines = ["`%s` on %s: %s" % (func, case, problem)]
    if known:
        lines.append("Likely cause: " + known[0])
    if hint:
        lines.append("Hint: " + hint)
    raise ItemFailure("\n".join(lines))


def _named(failure, cause):
    """`failure` (an ItemFailure) with a "Likely cause" line after its first line, if there is a cause."""
    if not cause:
        return failure
    problem, _, rest = str(failure).partition("\n")
    return ItemFailure("\n".join([problem, "Likely cause: " + cause] + ([rest] if rest else [])))


def describe(value):
    """A short description of a value's type and shape, for messages."""
    if isinstance(value, np.ndarray):
        return "array of shape %s, dtype %s" % (value.shape, value.dtype)
    if isinstance(value, (np.generic, int, float, bool)):
        return "%s %r" % (type(value).__name__, value)
    if isinstance(value, Opaque):
        if value.type_name.startswith("numpy.ndarray of "):      # a dtype the wire does not carry
            return "array of " + value.type_name[len("numpy.ndarray of "):]
        return "a %s object" % value.type_name
    return "a %s" % type(value).__name__


def as_numeric(got, func, case, hint=""):
    """`got` as a numeric numpy array, or fail saying what it was instead."""
    if isinstance(got, (np.ndarray, np.generic, int, float)) and not isinstance(got, bool):
        arr = np.asarray(got)
        if arr.dtype.kind in "iuf":
            return arr
    if isinstance(got, (bool, np.bool_)) or (isinstance(got, np.ndarray) and got.dtype == bool):
        fail(func, case, "expected numbers, got booleans (%s)" % describe(got),
             hint or "convert with .astype(float) so the result can be used in arithmetic")
    fail(func, case, "expected a number or numpy array, got %s" % describe(got), hint)


def expect_close(got, expected, func, case, hint="", *, rtol, atol, float_dtype=False, known=()):
    """Shape first, then finiteness, then values within numpy.isclose(rtol, atol).

    `known`: pairs [wrong answer on these same inputs, the misconception that gives it]; when `got`
    matches one, the message names the misconception."""
    try:
        _expect_close(got, expected, func, case, hint, rtol, atol, float_dtype)
    except ItemFailure as exc:
        raise _named(exc, diagnose(got, known, rtol, atol)) from None


def _expect_close(got, expected, func, case, hint, rtol, atol, float_dtype):
    expected = np.asarray(expected)
    arr = as_numeric(got, func, case, hint)
    if arr.shape != expected.shape:
        fail(func, case, "expected shape %s, got %s" % (expected.shape, describe(got)), hint)
    if float_dtype and arr.dtype.kind != "f":
        fail(func, case, "expected a floating-point result, got %s" % describe(got),
             hint or "return floats, e.g. with .astype(float)")
    bad = ~np.isfinite(arr) & np.isfinite(expected)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        fail(func, case, "got %s at index %s where %r was expected (%d non-finite values)"
             % (arr[where], where, expected[where], bad.sum()), hint)
    close = np.isclose(arr, expected, rtol=rtol, atol=atol)
    if not close.all():
        where = tuple(int(i) for i in np.argwhere(~close)[0])
        diff = np.abs(arr.astype(float) - expected)[~close].max()
        fail(func, case, "%d of %d values are wrong; at index %s expected %.6g, got %.6g "
             "(largest difference %.3g)" % ((~close).sum(), close.size, where, expected[where],
                                            arr[where], diff), hint)


def diagnose(got, known, rtol=1e-6, atol=1e-9):
    """The misconception of the first [wrong answer, misconception] pair in `known` that `got` matches."""
    return next(iter(diagnoses(got, known, rtol, atol)), None)


def diagnoses(got, known, rtol=1e-6, atol=1e-9):
    """Every misconception of `known` ([wrong answer, misconception] pairs) whose answer `got` matches
    (NaN matching NaN), in order."""
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return []
    found = []
    for wrong, cause in known:
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == arr.shape and np.allclose(arr, wrong, rtol=max(rtol, 1e-6), atol=max(atol, 1e-9),
                                                    equal_nan=True):
            found.append(cause)
    return found


def _as_floats(got, expected):
    try:
        a, b = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return None, None
    return (a, b) if a.shape == b.shape and a.size else (None, None)


def relative_error(got, expected):
    """The worst entry's |a − b| / max(1e-8, |a| + |b|) (0 for none; inf when `got` is not numbers of
    `expected`'s shape or not finite)."""
    a, b = _as_floats(got, expected)
    if a is None:
        return 0.0 if np.size(expected) == 0 and np.shape(got) == np.shape(expected) else float("inf")
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))
    return float(error) if np.isfinite(error) else float("inf")


def _largest_difference(got, expected):
    a, b = _as_floats(got, expected)
    if a is None:
        return float("inf")
    with np.errstate(invalid="ignore", over="ignore"):
        difference = np.max(np.abs(a - b))
    return float(difference) if np.isfinite(difference) else float("inf")


def expect_all_close(cases, func, hint="", *, rtol, atol, float_dtype=False):
    """`expect_close` on every [case, got, expected, known] of `cases`, reported together: how many
    fail, the worst one in full, and the misconception when every failing case shows the same one."""
    failures = []
    for case, got, expected, known in cases:
        try:
            expect_close(got, expected, func, case, hint, rtol=rtol, atol=atol, float_dtype=float_dtype, known=known)
        except ItemFailure as exc:
            failures.append((relative_error(got, expected), _largest_difference(got, expected), str(exc),
                             diagnoses(got, known, rtol, atol), case))
    if len(failures) <= 1:
        if failures:
            raise ItemFailure(failures[0][2])
        return
    worst = max(failures, key=lambda f: f[:2])
    shared = [cause for cause in failures[0][3] if all(cause in f[3] for f in failures)]
    lines = ["`%s` fails %d of %d cases: %s." % (func, len(failures), len(cases), "; ".join(f[4] for f in failures)),
             "The worst (relative error %.3g) — %s" % (worst[0], worst[2].partition("\n")[0])]
    if shared:
        lines.append("Likely cause, in every failing case: " + shared[0])
    if hint:
        lines.append("Hint: " + hint)
    raise ItemFailure("\n".join(lines))


def expect_equal(got, expected, func, case, hint=""):
    """Exact equality of arrays (booleans, integers): shape first, then values."""
    expected = np.asarray(expected)
    if not isinstance(got, (np.ndarray, np.generic, bool, int, float)):
        fail(func, case, "expected %s, got %s" % (describe(expected), describe(got)), hint)
    arr = np.asarray(got)
    if arr.shape != expected.shape:
        fail(func, case, "expected shape %s, got %s" % (expected.shape, describe(got)), hint)
    wrong = arr != expected
    if wrong.any():
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        fail(func, case, "%d of %d values are wrong; at index %s expected %r, got %r"
             % (wrong.sum(), wrong.size, where, expected[where], arr[where]), hint)


def expect_no_warnings(call, func, case, hint="", known=()):
    """`call` is a CallResult; numpy warnings (overflow, divide by zero) count as wrong. `known`:
    [text in a warning, the wrong answer that goes with it or None, misconception] triples."""
    if call.warnings:
        said = " ".join(call.warnings)
        causes = [cause for fragment, wrong, cause in known
                  if fragment in said and (wrong is None or diagnose(call.value, [[wrong, True]]))]
        fail(func, case, "it raised warnings: %s" % "; ".join(call.warnings[:3]), hint, causes)


def expect_unchanged(before, after, func, what, hint="return a new array; never modify the inputs", known=()):
    """The function must not mutate its (array) argument. `known`: [what the argument became, the
    misconception that does that] pairs."""
    if isinstance(before, np.ndarray) and not (isinstance(after, np.ndarray) and
                                               np.array_equal(before, after, equal_nan=True)):
        fail(func, "its input", "it modified %s in place" % what, hint, diagnoses(after, known))


def expect_sequence(got, length, func, case, what, hint=""):
    """`got` is a list or tuple of `length` items; `what` names it, e.g. "a pair (out, mask)"."""
    if not (isinstance(got, (list, tuple)) and len(got) == length):
        sized = "%s of %d items" % (describe(got), len(got)) if isinstance(got, (list, tuple)) else describe(got)
        fail(func, case, "expected %s, got %s" % (what, sized), hint)


def expect_scalar(got, func, case, hint=""):
    """`got` is one number (a Python or numpy scalar, or a 0-d array)."""
    if isinstance(got, (list, tuple, dict)) or np.ndim(got) != 0:
        fail(func, case, "expected one number, got %s" % describe(got), hint)


def expect_array(got, shape, dtype, func, case, what, hint=""):
    """`got` is a numpy array of exactly this shape and dtype (a dtype name, e.g. "float32")."""
    if not (isinstance(got, np.ndarray) and got.shape == tuple(shape) and got.dtype == np.dtype(dtype)):
        fail(func, case, "%s: expected a %s array of shape %s, got %s" % (what, dtype, tuple(shape), describe(got)),
             hint)


def expect_shape(got, shape, func, case, what, hint=""):
    """`got` as a numeric array of this shape (returned), or fail naming `what`."""
    arr = as_numeric(got, func, case, hint)
    if arr.shape != tuple(shape):
        fail(func, case, "expected %s of shape %s, got %s" % (what, tuple(shape), describe(got)), hint)
    return arr


def expect_exact(got, expected, func, case, what, hint="", type_hint=""):
    """`got` equals the int or bool `expected`, and is of its kind (an integer, or True/False)."""
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            fail(func, case, "%s should be True or False, got %s" % (what, describe(got)), type_hint or hint)
        if bool(got) != bool(expected):
            fail(func, case, "expected %s=%s, got %s" % (what, bool(expected), bool(got)), hint)
        return
    if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
        fail(func, case, "%s should be an integer, got %s" % (what, describe(got)), type_hint or hint)
    if got != expected:
        fail(func, case, "expected %s %d, got %d" % (what, expected, got), hint)


def expect_inverted_dropout(out, mask, A, p, func, case, *, rtol, atol):
    """Every unit of `out` is 0 (dropped) or A / (1 − p) (kept), and `mask` is 0 or 1 / (1 − p) to match;
    kept units are compared at the precision of `out`'s dtype (float32 allowed)."""
    scale = 1 / (1 - p)
    out, mask = np.asarray(out), np.asarray(mask)
    precision = 1e-9 if out.dtype != np.float32 and out.dtype != np.float16 else 8 * float(np.finfo(out.dtype).eps)
    dropped = out == 0
    bad = ~dropped & ~np.isclose(out, A * scale, rtol=precision, atol=0)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        ratio = out[where] / A[where]
        causes = []
        if np.isclose(ratio, 1.0, rtol=precision):
            causes.append("the kept units were not rescaled: inverted dropout divides them by the keep "
                          "probability 1 − p, so that the expected output equals A")
        elif p > 0 and np.isclose(ratio, 1 / p, rtol=precision):
            causes.append("you divided by p, the drop probability; divide by the keep probability 1 − p")
        fail(func, case, "%d of %d units are neither 0 nor A/(1 − p) = A × %.6g; at index %s A = %.6g, got %.6g "
             "(= A × %.6g)" % (bad.sum(), bad.size, scale, where, A[where], out[where], ratio),
             "kept units are A / (1 − p); dropped units are exactly 0", causes)
    expect_close(mask, np.where(dropped, 0.0, scale), func, case + " (mask)",
                 "the mask holds the scale too: 0 where dropped, 1/(1 − p) where kept, so out = A * mask",
                 rtol=max(rtol, precision), atol=atol)


def expect_minibatches(got, X, Y, func, case, in_order=None):
    """`got` is a list of (Xb, Yb) pairs of whole, matching rows of X and Y; returns the row order.

    Column 0 of X holds each row's index. With `in_order` (the batch size), the batches must also be
    the consecutive slices X[0:in_order], X[in_order:2*in_order], ... (the short last one dropped)."""
    if not isinstance(got, (list, tuple)):
        fail(func, case, "expected a list of (Xb, Yb) tuples, got %s" % describe(got),
             "return the batches as a list (or yield them one by one)")
    order = []
    for i, batch in enumerate(got):
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            fail(func, case, "batch %d should be a tuple (Xb, Yb), got %s" % (i, describe(batch)),
                 "append `(X[rows], Y[rows])` for each batch")
        Xb, Yb = batch
        if not (isinstance(Xb, np.ndarray) and Xb.ndim == 2 and Xb.shape[1] == X.shape[1] and
                isinstance(Yb, np.ndarray) and Yb.shape == (len(Xb), 1)):
            fail(func, case, "batch %d: expected Xb of shape (m, %d) and Yb of shape (m, 1), got %s and %s"
                 % (i, X.shape[1], describe(Xb), describe(Yb)), "index rows: X[rows] and Y[rows]")
        rows = Xb[:, 0].astype(int)
        if not (np.all(Xb[:, 0] == rows) and np.all((rows >= 0) & (rows < len(X)))):
            fail(func, case, "batch %d contains rows that are not rows of X" % i, "take whole rows of X")
        expect_equal(Xb, X[rows], func, case + ", batch %d" % i, "take whole rows of X: X[rows]")
        expect_equal(Yb, Y[rows], func, case + ", labels of batch %d" % i,
                     "select the same rows of X and Y so that each label stays with its sample")
        order.extend(rows.tolist())
    order = np.array(order, dtype=int)
    n = len(X)
    if in_order and (len(got) != n // in_order or not np.array_equal(order, np.arange(n))):
        fail(func, case, "expected %d batches with rows 0..%d in order, got %d batches with rows %s"
             % (n // in_order, n - 1, len(got), order.tolist()),
             "with shuffle=False use the rows in order: X[0:batch_size], X[batch_size:2*batch_size], ...")
    return order


def expect_losses(history, epochs, func, case):
    """`history` as a float array of `epochs` finite losses (returned)."""
    try:
        arr = np.asarray(history, dtype=float)
    except (TypeError, ValueError):
        fail(func, case, "history should be a list of floats, got %s" % describe(history),
             "append loss(params, X, Y) (a float) once per epoch")
    if arr.shape != (epochs,):
        fail(func, case, "expected a history of %d losses (one per epoch), got shape %s" % (epochs, arr.shape),
             "append one value per epoch, after the epoch's updates")
    if not np.all(np.isfinite(arr)):
        fail(func, case, "the history contains non-finite losses: %s" % np.round(arr, 3).tolist(),
             "training diverged: check the signs in momentum_update")
    return arr


def expect_decreasing(losses, func, case, hint=""):
    """The last loss is below the first, and at least half of the steps go down."""
    if not (losses[-1] < losses[0] and np.mean(np.diff(losses) < 0) >= 0.5):
        fail(func, case, "the training loss does not decrease: %s" % np.round(losses, 4).tolist(), hint)


def expect_layers(layers, spec, func, case):
    """A model summary's layers (harness `keras.describe_saved`) form the MLP `spec` asks for: Dense
    layers of spec["hidden_sizes"] with spec["activation"], then Dense(10, softmax); Dropout allowed."""
    kinds = sorted({layer["type"] for layer in layers} - {"Dense", "Dropout"})
    if kinds:
        fail(func, case, "unexpected layer types %s" % kinds, "an MLP of Dense (and Dropout) layers")
    dense = [layer for layer in layers if layer["type"] == "Dense"]
    sizes = [layer["units"] for layer in dense]
    if sizes != list(spec["hidden_sizes"]) + [10]:
        fail(func, case, "Dense layer sizes %s, expected %s" % (sizes, list(spec["hidden_sizes"]) + [10]),
             "one Dense layer per entry of hidden_sizes, then Dense(10)")
    activations = [layer["activation"] for layer in dense]
    if activations != [spec["activation"]] * len(spec["hidden_sizes"]) + ["softmax"]:
        fail(func, case, "activations %s" % activations,
             "use `activation` in hidden layers and softmax in the output layer")


def expect_structure(got, like, func, case, what, hint=STRUCTURE_HINT):
    """`got` is a list of dicts with the keys and array shapes of `like` (params, gradients, velocities).
    Messages name entries by index (`what[0]['W']`): notebooks differ in how they number layers."""
    if not isinstance(got, (list, tuple)):
        fail(func, case, "expected %s as a list of %d dicts, got %s" % (what, len(like), describe(got)), hint)
    if len(got) != len(like):
        fail(func, case, "expected %s with %d layers, got %d" % (what, len(like), len(got)), hint)
    for layer, (d, ref) in enumerate(zip(got, like)):
        if not isinstance(d, dict) or set(d) != set(ref):
            fail(func, case, "%s[%d] should be a dict with keys %s, got %s"
                 % (what, layer, sorted(ref), sorted(d) if isinstance(d, dict) else describe(d)), hint)
        for key in sorted(ref):
            where = "%s — %s[%d][%r]" % (case, what, layer, key)
            shape = as_numeric(d[key], func, where, hint).shape
            if shape != np.shape(ref[key]):
                fail(func, where, "expected shape %s, got %s" % (np.shape(ref[key]), describe(d[key])), hint)


def expect_structure_close(got, expected, func, case, what, hint, *, rtol, atol):
    """`expect_structure`, then every array of every layer close to `expected`'s."""
    expect_structure(got, expected, func, case, what)
    for layer, (d, ref) in enumerate(zip(got, expected)):
        for key in sorted(ref):
            where = "%s — %s[%d][%r]" % (case, what, layer, key)
            expect_close(d[key], ref[key], func, where, hint, rtol=rtol, atol=atol)


# The checks a compiled program may name (see `program.py`).
VOCABULARY = frozenset(["fail", "as_numeric", "expect_close", "expect_all_close", "expect_equal", "expect_no_warnings",
                        "expect_unchanged",
                        "expect_sequence", "expect_scalar", "expect_array", "expect_structure",
                        "expect_structure_close", "expect_shape", "expect_exact", "expect_inverted_dropout",
                        "expect_minibatches", "expect_losses", "expect_decreasing", "expect_layers"])
