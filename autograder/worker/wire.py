"""The data-only codec between the grading process and the worker (stdlib + numpy only).

Values cross as JSON. Plain JSON covers None, bool, int, float (NaN/inf included), str and
lists; tagged objects cover the rest:

    {"$nd": [dtype, shape, base64]}   numpy array of a bool/int/uint/float dtype (an object array
                                      whose elements are all Python or numpy numbers is converted)
    {"$np": [dtype, value]}           numpy scalar of those dtypes
    {"$tuple": [...]}                 tuple
    {"$dict": [[key, value], ...]}    dict (keys encoded like values)
    {"$handle": [id, type, repr]}     anything else, kept in the process that owns it
    {"$callback": id}                 a callable passed by the grader (called back over the wire)

Nothing is ever unpickled or evaluated: decoding builds only the types above, and a handle
decodes to an inert `Opaque` that equals nothing. This module is also run inside the worker, so
it must not import anything from the grader.
"""
import base64
import json
# Our own references: student code may replace builtins.isinstance & co in the worker.
from builtins import bool, callable, dict, float, int, isinstance, len, list, repr, str, tuple, type  # noqa: A004

import numpy as np

ALLOWED_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"])
MAX_DEPTH = 32
MAX_BYTES = 256 * 2**20


class WireError(ValueError):
    """A value that cannot cross (too big, too deep, malformed)."""


class Opaque:
    """An object the other process kept; it can be passed back but never compares equal."""

    __slots__ = ("id", "type_name", "text")

    def __init__(self, ident, type_name, text):
        self.id, self.type_name, self.text = ident, type_name, text

    def __eq__(self, other):
        return False

    __hash__ = object.__hash__

    def __repr__(self):
        return "<%s object: %s>" % (self.type_name, self.text)


class Codec:
    """Encodes/decodes the data types; subclasses decide what happens to everything else."""

    def __init__(self, max_bytes=MAX_BYTES):
        self.max_bytes = max_bytes

    # -- encoding -----------------------------------------------------------------------
    def encode(self, value):
        budget = [self.max_bytes]
        return self._enc(value, 0, budget)

    def _spend(self, budget, n):
        budget[0] -= n
        if budget[0] < 0:
            raise WireError("value is larger than the %d MB limit" % (self.max_bytes // 2**20))

    def _enc(self, v, depth, budget):
        if depth > MAX_DEPTH:
            raise WireError("value is nested deeper than %d levels" % MAX_DEPTH)
        t = type(v)
        if v is None or t is bool or t is int or t is float:
            self._spend(budget, 8)
            return v
        if t is str:
            self._spend(budget, len(v))
            return v
        if t is np.ndarray and v.dtype.kind == "O":
            v = _numeric(v, budget)
        if t is np.ndarray and v.dtype.name in ALLOWED_DTYPES:
            self._spend(budget, v.nbytes)
            data = np.ascontiguousarray(v).tobytes()
            return {"$nd": [v.dtype.name, list(v.shape), base64.b64encode(data).decode("ascii")]}
        if isinstance(v, np.generic) and t is not np.ndarray and v.dtype.name in ALLOWED_DTYPES:
            self._spend(budget, 8)
            return {"$np": [v.dtype.name, v.item()]}
        if t is list:
            return [self._enc(x, depth + 1, budget) for x in v]
        if t is tuple:
            return {"$tuple": [self._enc(x, depth + 1, budget) for x in v]}
        if t is dict:
            return {"$dict": [[self._enc(k, depth + 1, budget), self._enc(x, depth + 1, budget)]
                              for k, x in v.items()]}
        return self.encode_other(v)

    def encode_other(self, v):
        raise WireError("a %s cannot be sent" % _type_name(v))

    # -- decoding -----------------------------------------------------------------------
    def decode(self, obj, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("value is nested deeper than %d levels" % MAX_DEPTH)
        t = type(obj)
        if obj is None or t in (bool, int, float, str):
            return obj
        if t is list:
            return [self.decode(x, depth + 1) for x in obj]
        if t is not dict or len(obj) != 1:
            raise WireError("malformed value of type %s" % t.__name__)
        (tag, body), = obj.items()
        if tag == "$nd":
            dtype, shape, data = body
            if dtype not in ALLOWED_DTYPES or not all(type(n) is int and n >= 0 for n in shape):
                raise WireError("malformed array")
            raw = base64.b64decode(data.encode("ascii"), validate=True)
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if tag == "$np":
            dtype, value = body
            if dtype not in ALLOWED_DTYPES or type(value) not in (bool, int, float):
                raise WireError("malformed scalar")
            return np.dtype(dtype).type(value)
        if tag == "$tuple":
            return tuple(self.decode(x, depth + 1) for x in body)
        if tag == "$dict":
            out = {}
            for k, v in body:
                key = self.decode(k, depth + 1)
                if type(key) not in (str, int, float, bool, tuple) and key is not None:
                    raise WireError("unhashable dict key")
                out[key] = self.decode(v, depth + 1)
            return out
        return self.decode_other(tag, body)

    def decode_other(self, tag, body):
        raise WireError("unknown tag %r" % tag)


class OwnerCodec(Codec):
    """The side that runs student code: keeps non-data objects as handles, calls callbacks.

    `call_back(ident, args)` asks the other side to run its callable number `ident`.
    """

    def __init__(self, call_back, **kw):
        super().__init__(**kw)
        self.call_back = call_back
        self.handles = []

    def encode_other(self, v):
        self.handles.append(v)
        return {"$handle": [len(self.handles) - 1, _type_name(v), _short_repr(v)]}

    def decode_other(self, tag, body):
        if tag == "$handle" and type(body[0]) is int and 0 <= body[0] < len(self.handles):
            return self.handles[body[0]]
        if tag == "$callback" and type(body) is int:
            def callback(*args, _ident=body):
                return self.call_back(_ident, args)
            return callback
        raise WireError("unknown tag %r" % tag)


class GraderCodec(Codec):
    """The grading side: sends its callables as callbacks, receives others' objects as `Opaque`."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.callbacks = []

    def encode_other(self, v):
        if type(v) is Opaque:
            return {"$handle": [v.id, v.type_name, v.text]}
        if callable(v):
            self.callbacks.append(v)
            return {"$callback": len(self.callbacks) - 1}
        return super().encode_other(v)

    def decode_other(self, tag, body):
        if tag == "$handle":
            ident, type_name, text = body
            return Opaque(ident, str(type_name), str(text))
        return super().decode_other(tag, body)


def _numeric(array, budget):
    """An object array converted to numbers if every element is a Python or numpy number, else as is."""
    if array.size * 8 > budget[0]:
        return array
    items = array.ravel().tolist()
    if not all(type(x) in (bool, int, float) or isinstance(x, (np.bool_, np.integer, np.floating)) for x in items):
        return array
    converted = np.array(items).reshape(array.shape) if items else np.zeros(array.shape)
    return converted if converted.dtype.name in ALLOWED_DTYPES else array


def _type_name(v):
    t = type(v)
    if t is np.ndarray:
        return "numpy.ndarray of shape %s, dtype %s" % (v.shape, v.dtype)
    return t.__name__ if t.__module__ == "builtins" else "%s.%s" % (t.__module__, t.__name__)


def _short_repr(v):
    try:
        text = repr(v)
    except BaseException:                           # a hostile __repr__ must not break encoding
        text = "?"
    return text if len(text) <= 120 else text[:117] + "..."


def dumps(message):
    return json.dumps(message, separators=(",", ":")).encode("utf-8") + b"\n"


def loads(line):
    return json.loads(line.decode("utf-8"))
