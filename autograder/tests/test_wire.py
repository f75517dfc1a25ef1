"""The codec: data round-trips exactly; anything else becomes an inert handle; bad input is refused."""
import numpy as np
import pytest

from autograder.worker import wire


def round_trip(value):
    owner, grader = wire.OwnerCodec(call_back=None), wire.GraderCodec()
    return grader.decode(wire.loads(wire.dumps(owner.encode(value))))


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("inf"), "text", [1, [2.0, "x"]], (1, (2, 3)), {"a": 1, 2: (3,)},
    np.float32(1.5), np.int64(7), np.bool_(True)])
def test_plain_values_round_trip(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "bool"])
def test_arrays_keep_dtype_shape_and_values(dtype):
    arr = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    back = round_trip(arr)
    assert back.dtype == arr.dtype and back.shape == arr.shape and np.array_equal(back, arr)
    assert back.flags.writeable


def test_non_contiguous_and_nan_arrays():
    arr = np.array([[1.0, np.nan], [np.inf, -0.0]]).T
    assert np.array_equal(round_trip(arr), arr, equal_nan=True)


class Liar:
    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        return np.ones(3)


def holding(*items):
    """An object array of exactly these items (np.array would call a Liar's __array__)."""
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


@pytest.mark.parametrize("value", [Liar(), lambda x: x, holding(Liar()), holding(1.0, "a"),
                                   np.ma.masked_array([1.0, 2.0])])
def test_other_objects_become_opaque_and_never_equal(value):
    back = round_trip(value)
    assert isinstance(back, wire.Opaque)
    assert back != back and not (back == 1) and back != np.ones(3)


@pytest.mark.parametrize("items, dtype", [((0.5, 2), "float64"), ((1, np.int32(2)), "int64"), ((True, False), "bool")])
def test_an_object_array_of_numbers_crosses_as_numbers(items, dtype):
    back = round_trip(holding(*items))
    assert back.dtype == dtype and back.tolist() == list(items)


def test_opaque_handles_resolve_back_to_the_owners_object():
    owner, grader = wire.OwnerCodec(call_back=None), wire.GraderCodec()
    cache = object()
    opaque = grader.decode(owner.encode({"cache": cache}))["cache"]
    assert owner.decode(grader.encode(opaque)) is cache


def test_callbacks_reach_the_grader_callable():
    grader = wire.GraderCodec()
    owner = wire.OwnerCodec(call_back=lambda ident, args: grader.callbacks[ident](*args))
    f = owner.decode(grader.encode(lambda x: x * 2))
    assert f(21) == 42


@pytest.mark.parametrize("bad", [
    {"$nd": ["object", [1], ""]}, {"$nd": ["float64", [-1], ""]}, {"$np": ["float64", "1"]},
    {"$eval": "1+1"}, {"a": 1, "b": 2}, {"$nd": ["float64", [2], "!!!"]},
    {"$nd": ["float64", [3], "AAAAAAAAAAA="]}])
def test_malformed_values_are_refused(bad):
    with pytest.raises((wire.WireError, ValueError)):
        wire.GraderCodec().decode(bad)


def test_size_and_depth_limits():
    with pytest.raises(wire.WireError, match="larger"):
        wire.OwnerCodec(call_back=None, max_bytes=1000).encode(np.zeros(1000))
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deeper"):
        wire.OwnerCodec(call_back=None).encode(deep)
