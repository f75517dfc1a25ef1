"""The checks' vocabulary: comparisons that fail with a message that teaches (function, input,
expected vs got, hint).

Suites call them through `autograder.expect` (which fills in the course's tolerances); a visible
item's compiled program names them step by step, and the shipped runtime runs the same functions
in the student's kernel, so every grader gives the same verdict and message.
"""
import numpy as np

from .failures import ItemFailure
from .wire import Opaque


def fail(func, case, problem, hint=""):
    lines = ["`%s` on %s: %s" % (func, case, problem)]
    if hint:
        lines.append("Hint: " + hint)
    raise ItemFailure("\n".join(lines))


def describe(value):
    """A short description of a value's type and shape, for messages."""
    if isinstance(value, np.ndarray):
        return "array of shape %s, dtype %s" % (value.shape, value.dtype)
    if isinstance(value, (np.generic, int, float, bool)):
        return "%s %r" % (type(value).__name__, value)
    if isinstance(value, Opaque):
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


def expect_close(got, expected, func, case, hint="", *, rtol, atol, float_dtype=False):
    """Shape first, then finiteness, then values within numpy.isclose(rtol, atol)."""
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


def expect_no_warnings(call, func, case, hint=""):
    """`call` is a CallResult; numpy warnings (overflow, divide by zero) count as wrong."""
    if call.warnings:
        fail(func, case, "it raised warnings: %s" % "; ".join(call.warnings[:3]), hint)


def expect_unchanged(before, after, func, what, hint="return a new array; never modify the inputs"):
    """The function must not mutate its (array) argument."""
    if isinstance(before, np.ndarray) and not (isinstance(after, np.ndarray) and
                                               np.array_equal(before, after, equal_nan=True)):
        fail(func, "its input", "it modified %s in place" % what, hint)


# The checks a compiled program may name (see `program.py`).
VOCABULARY = frozenset(["fail", "as_numeric", "expect_close", "expect_equal", "expect_no_warnings", "expect_unchanged"])
