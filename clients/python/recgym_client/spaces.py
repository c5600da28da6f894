"""Spaces rebuilt from the server's JSON descriptions (docs/protocol.md, "Spaces").

With Gymnasium importable they are Gymnasium spaces (a Slate is a Space subclass: `size` distinct
ids from `items`) and members are numpy arrays; without it, small stand-ins with the same
`sample` / `contains` / `seed` whose members are Python ints and lists.
"""

import random

try:
    import gymnasium
    import numpy as np
except ImportError:  # the client then works with the standard library alone
    gymnasium = None
    np = None

HAS_GYMNASIUM = gymnasium is not None


def _bound(value):
    return {"inf": float("inf"), "-inf": float("-inf")}.get(value, value) if isinstance(value, str) else value


def _size(shape):
    size = 1
    for dim in shape:
        size *= dim
    return size


if HAS_GYMNASIUM:

    class Slate(gymnasium.spaces.Space):
        """`size` distinct item ids from `items` (an int32 array)."""

        def __init__(self, size, items, seed=None):
            self.size = int(size)
            self.items = np.asarray(sorted(items), dtype=np.int32)
            self._allowed = set(self.items.tolist())
            super().__init__(shape=(self.size,), dtype=np.int32, seed=seed)

        def sample(self, mask=None):
            return self.np_random.choice(self.items, size=self.size, replace=False).astype(np.int32)

        def contains(self, x):
            if not isinstance(x, np.ndarray) or x.shape != (self.size,) or not np.issubdtype(x.dtype, np.integer):
                return False
            values = x.tolist()
            return len(set(values)) == self.size and all(v in self._allowed for v in values)

        @property
        def is_np_flattenable(self):
            return False

        def __repr__(self):
            return f"Slate({self.size} of {len(self.items)} items)"

        def __eq__(self, other):
            return isinstance(other, Slate) and other.size == self.size and np.array_equal(other.items, self.items)

else:

    class _Space:
        def __init__(self):
            self._rng = random.Random()

        def seed(self, seed=None):
            self._rng = random.Random(seed)
            return [seed]

    class Discrete(_Space):
        def __init__(self, n, start=0):
            super().__init__()
            self.n, self.start = n, start

        def sample(self):
            return self.start + self._rng.randrange(self.n)

        def contains(self, x):
            return isinstance(x, int) and not isinstance(x, bool) and self.start <= x < self.start + self.n

    class Box(_Space):
        def __init__(self, low, high, shape, dtype):
            super().__init__()
            self.low, self.high, self.shape, self.dtype = low, high, tuple(shape), dtype

        def sample(self):
            size = _size(self.shape)
            if self.dtype.startswith("float"):
                return [self._rng.uniform(self.low, self.high) for _ in range(size)]
            return [self._rng.randint(self.low, self.high) for _ in range(size)]

        def contains(self, x):
            return isinstance(x, list) and len(x) == _size(self.shape) and all(isinstance(v, (int, float)) and self.low <= v <= self.high for v in x)

    class Slate(_Space):
        def __init__(self, size, items):
            super().__init__()
            self.size, self.items = size, sorted(items)
            self._allowed = set(self.items)

        def sample(self):
            return self._rng.sample(self.items, self.size)

        def contains(self, x):
            return isinstance(x, list) and len(x) == self.size and len(set(x)) == self.size and all(v in self._allowed for v in x)

    class Dict(_Space):
        def __init__(self, spaces):
            super().__init__()
            self.spaces = dict(spaces)

        def seed(self, seed=None):
            for i, space in enumerate(self.spaces.values()):
                space.seed(None if seed is None else seed + i)
            return [seed]

        def sample(self):
            return {key: space.sample() for key, space in self.spaces.items()}

        def contains(self, x):
            return isinstance(x, dict) and set(x) == set(self.spaces) and all(space.contains(x[key]) for key, space in self.spaces.items())


def space_from_description(description):
    """The space a description describes (Discrete, Box, Slate, Dict)."""
    kind = description["kind"]
    if kind == "Dict":
        spaces = {key: space_from_description(inner) for key, inner in description["spaces"].items()}
        return gymnasium.spaces.Dict(spaces) if HAS_GYMNASIUM else Dict(spaces)
    if kind == "Discrete":
        if HAS_GYMNASIUM:
            return gymnasium.spaces.Discrete(description["n"], start=description["start"])
        return Discrete(description["n"], description["start"])
    if kind == "Box":
        low, high, shape, dtype = _bound(description["low"]), _bound(description["high"]), description["shape"], description["dtype"]
        if HAS_GYMNASIUM:
            return gymnasium.spaces.Box(low=low, high=high, shape=tuple(shape), dtype=np.dtype(dtype))
        return Box(low, high, shape, dtype)
    if kind == "Slate":
        return Slate(description["size"], description["items"])
    raise ValueError(f"expected a space of kind Discrete, Box, Slate or Dict, actual {kind!r}")


def _leaf_width(space):
    return 1 if _is_discrete(space) else _size(space.shape)


def _is_discrete(space):
    return space.__class__.__name__ == "Discrete"


def _is_dict(space):
    return space.__class__.__name__ == "Dict"


def decode_value(space, value):
    """A member of `space` from its JSON (numpy arrays with Gymnasium, lists without)."""
    if _is_dict(space):
        return {key: decode_value(inner, value[key]) for key, inner in space.spaces.items()}
    if _is_discrete(space):
        return int(value)
    if HAS_GYMNASIUM:
        return np.asarray(value, dtype=space.dtype).reshape(space.shape)
    return list(value)


def encode_value(space, value):
    """A member of `space` as JSON."""
    if _is_dict(space):
        return {key: encode_value(inner, value[key]) for key, inner in space.spaces.items()}
    if _is_discrete(space):
        return int(value)
    if HAS_GYMNASIUM:
        return np.asarray(value).ravel().tolist()
    return [v for v in value]


def decode_batch(space, n, value):
    """A batch of `n` members from the flat JSON arrays: arrays of shape (n, *shape) with Gymnasium, lists of n members without."""
    if _is_dict(space):
        return {key: decode_batch(inner, n, value[key]) for key, inner in space.spaces.items()}
    if HAS_GYMNASIUM:
        dtype = np.int64 if _is_discrete(space) else space.dtype
        shape = (n,) if _is_discrete(space) else (n, *space.shape)
        return np.asarray(value, dtype=dtype).reshape(shape)
    width = _leaf_width(space)
    return value if _is_discrete(space) else [value[i * width:(i + 1) * width] for i in range(n)]
