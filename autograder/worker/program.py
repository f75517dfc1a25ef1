"""A visible item compiled to data, and the interpreter that runs it against any namespace.

A program is a list of steps, each a JSON object:

    {"op": "call", "name": f, "args": [...], "kwargs": {...}}      call the student's f (like nb.inspect)
    {"op": "harness", "name": h, "args": [...], "kwargs": {...}}   run a worker procedure (07's Keras)
    {"op": "evaluate", "name": h, "args": [file, ...], ...}        run one on a file the student's side wrote
    {"op": "check", "name": c, "args": [...], "kwargs": {...}}     run `checks.c`; a failure ends the item

Arguments are wire values (see `wire.py`) plus two tags of this module:

    {"$ref": [step, path]}      an earlier step's result, e.g. [0, [".value", 1]] = step 0's value[1]
    {"$formula": [tree, shape, scalar]}   a function argument given as a formula (`Formula`)

Steps never hold code: what a program can do is call the student's named functions and the
vocabulary in `checks.py`. The kit's grader and the shipped runtime run the same programs with
`run`, so both give the same verdict and message.
"""
import numpy as np

from . import checks, wire
from .failures import ItemFailure

# Operations a formula may use: numpy's own functions, by name.
FORMULA_OPS = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
               "true_divide": np.divide, "power": np.power, "negative": np.negative, "exp": np.exp,
               "log": np.log, "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "absolute": np.abs,
               "sum": np.sum}
CALL_ATTRIBUTES = ("value", "args", "warnings")


class Formula:
    """A function argument that is data: an expression tree over `FORMULA_OPS` and the variable "x".

    Made by tracing a Python function on a symbolic variable (`Formula.trace`), so a suite can write
    `Formula.trace(lambda v: np.sum(c * v ** 3), shape=(6,), scalar=True)`. `shape` makes a call
    with another shape fail with a clear message; `scalar` returns a Python float.
    """

    def __init__(self, tree, shape=None, scalar=False):
        self.tree, self.shape, self.scalar = tree, None if shape is None else tuple(shape), scalar

    @classmethod
    def trace(cls, func, shape=None, scalar=False):
        return cls(_Symbol.unwrap(func(_Symbol("x"))), shape, scalar)

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        if self.shape is not None and x.shape != self.shape:
            raise ValueError("f expects an array of the shape of x, %s; it was given shape %s" % (self.shape, x.shape))
        value = _evaluate(self.tree, x)
        return float(value) if self.scalar else value


def _evaluate(tree, x):
    if isinstance(tree, str):
        return x
    if isinstance(tree, list):
        return FORMULA_OPS[tree[0]](*[_evaluate(t, x) for t in tree[1:]])
    return tree


class _Symbol:
    """A traced value: numpy ufuncs, np.sum and arithmetic on it build a formula tree."""

    def __init__(self, tree):
        self.tree = tree

    @staticmethod
    def unwrap(value):
        return value.tree if isinstance(value, _Symbol) else value

    def _op(self, name, *others):
        if name not in FORMULA_OPS:
            raise TypeError("a formula cannot use %r; allowed: %s" % (name, sorted(FORMULA_OPS)))
        return _Symbol([name] + [_Symbol.unwrap(v) for v in others])

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            raise TypeError("a formula cannot use %s.%s" % (ufunc.__name__, method))
        return _Symbol([ufunc.__name__] + [_Symbol.unwrap(v) for v in inputs])

    def __array_function__(self, func, types, args, kwargs):
        if func is not np.sum or kwargs or len(args) != 1:
            raise TypeError("a formula can only use np.sum(x) of the whole array, not %s" % func.__name__)
        return self._op("sum", args[0])

    __add__ = lambda self, o: _Symbol(["add", self.tree, _Symbol.unwrap(o)])               # noqa: E731
    __radd__ = lambda self, o: _Symbol(["add", _Symbol.unwrap(o), self.tree])              # noqa: E731
    __sub__ = lambda self, o: _Symbol(["subtract", self.tree, _Symbol.unwrap(o)])          # noqa: E731
    __rsub__ = lambda self, o: _Symbol(["subtract", _Symbol.unwrap(o), self.tree])         # noqa: E731
    __mul__ = lambda self, o: _Symbol(["multiply", self.tree, _Symbol.unwrap(o)])          # noqa: E731
    __rmul__ = lambda self, o: _Symbol(["multiply", _Symbol.unwrap(o), self.tree])         # noqa: E731
    __truediv__ = lambda self, o: _Symbol(["divide", self.tree, _Symbol.unwrap(o)])        # noqa: E731
    __rtruediv__ = lambda self, o: _Symbol(["divide", _Symbol.unwrap(o), self.tree])       # noqa: E731
    __pow__ = lambda self, o: _Symbol(["power", self.tree, _Symbol.unwrap(o)])             # noqa: E731
    __neg__ = lambda self: _Symbol(["negative", self.tree])                                 # noqa: E731


class Ref:
    """An earlier step's result, as the program refers to it (made while compiling, see `autograder.engine.visible`)."""

    def __init__(self, step, path=()):
        self.step, self.path = step, tuple(path)

    def __getitem__(self, key):
        return Ref(self.step, self.path + (key,))

    def __getattr__(self, name):
        if name not in CALL_ATTRIBUTES:
            raise AttributeError(name)
        return Ref(self.step, self.path + ("." + name,))

    def _refuse(self, *args):
        raise TypeError("a visible item may only index a student's result and pass it to checks "
                        "(autograder.expect); compute nothing from it")

    __bool__ = __len__ = __iter__ = __str__ = __float__ = __array__ = _refuse
    __eq__ = __ne__ = __lt__ = __gt__ = __add__ = __sub__ = __mul__ = __truediv__ = _refuse
    __hash__ = object.__hash__


class ProgramCodec(wire.Codec):
    """Wire values plus `Ref` and `Formula`."""

    def encode_other(self, v):
        if type(v) is Ref:
            return {"$ref": [v.step, [self.encode(p) for p in v.path]]}
        if type(v) is Formula:
            return {"$formula": [self._encode_tree(v.tree), list(v.shape) if v.shape is not None else None,
                                 v.scalar]}
        return super().encode_other(v)

    def decode_other(self, tag, body):
        if tag == "$ref":
            return Ref(body[0], [self.decode(p) for p in body[1]])
        if tag == "$formula":
            return Formula(self._tree(body[0]), body[1], bool(body[2]))
        return super().decode_other(tag, body)

    def _encode_tree(self, tree):
        if isinstance(tree, list):
            return [tree[0]] + [self._encode_tree(t) for t in tree[1:]]
        return tree if isinstance(tree, str) else self.encode(tree)

    def _tree(self, tree):
        if isinstance(tree, list) and tree and tree[0] in FORMULA_OPS:
            return [tree[0]] + [self._tree(t) for t in tree[1:]]
        return tree if tree == "x" else self.decode(tree)


def encode(steps):
    """Steps as recorded (Python values) → JSON-ready steps."""
    codec = ProgramCodec()
    return [{"op": s["op"], "name": s["name"], "args": codec.encode(list(s["args"])),
             "kwargs": codec.encode(dict(s["kwargs"]))} for s in steps]


def decode(steps):
    codec = ProgramCodec()
    return [{"op": s["op"], "name": s["name"], "args": codec.decode(s["args"]),
             "kwargs": codec.decode(s["kwargs"])} for s in steps]


def run(steps, nb):
    """Run decoded steps against a namespace (`StudentNamespace`); a wrong answer raises ItemFailure."""
    results = []
    for step in steps:
        args, kwargs = _resolve(step["args"], results), _resolve(step["kwargs"], results)
        if step["op"] == "call":
            results.append(nb.inspect(step["name"], *args, **kwargs))
        elif step["op"] == "harness":
            results.append(nb.harness(step["name"], *args, **kwargs))
        elif step["op"] == "evaluate":
            results.append(nb.evaluate(step["name"], *args, **kwargs))
        elif step["op"] == "check" and step["name"] in checks.VOCABULARY:
            results.append(getattr(checks, step["name"])(*args, **kwargs))
        else:
            raise ValueError("unknown step %r %r" % (step["op"], step["name"]))


def _resolve(value, results):
    if type(value) is Ref:
        return _follow(results[value.step], value.path)
    if type(value) is list:
        return [_resolve(v, results) for v in value]
    if type(value) is tuple:
        return tuple(_resolve(v, results) for v in value)
    if type(value) is dict:
        return {k: _resolve(v, results) for k, v in value.items()}
    return value


def _follow(value, path):
    for key in path:
        if isinstance(key, str) and key.startswith(".") and key[1:] in CALL_ATTRIBUTES:
            value = getattr(value, key[1:])
            continue
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            raise ItemFailure("expected a result with an entry [%r], got %s" % (key, checks.describe(value))) from None
    return value
