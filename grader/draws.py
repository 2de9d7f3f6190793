"""A numpy Generator whose small integer draws give exactly numpy's own values at a third of the cost."""
from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_NEXT_UINT32 = ctypes.PYFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p)  # PYFUNCTYPE: keeps the GIL (a 20 ns call)
_SPAN = 1 << 32
_ONE_BY_ONE = 6  # `integers(size=k)` costs ~3.5 us (numpy checks `size`); one by one: ~1 us + 0.4 us a draw


class Draws(np.random.Generator):
    """`np.random.Generator` plus `integer`, `integers_small` and `sample`, which return exactly what
    `int(self.integers(low, high))`, `self.integers(low, high, size)` and `self.choice(n, k, replace=False)`
    return, and leave the stream where those leave it (tests/grader/test_draws.py checks each against numpy).

    numpy's Generator spends about 1 us a call checking its arguments. For a range below 2**32 its
    `integers` (int64, `endpoint=False`) is Lemire's method on the bit generator's `next_uint32`
    (numpy/random/src/distributions/distributions.c: `random_bounded_uint64_fill`,
    `buffered_bounded_lemire_uint32`): draw u, m = u * span, retry while the low 32 bits of m are below
    (2**32 - span) % span, return low + (m >> 32); a span of 1 draws nothing. `integer` does the same
    through the bit generator's own `next_uint32` (its ctypes interface), so the PCG64 32-bit buffer is
    shared with every other draw exactly as numpy shares it.
    """

    __slots__ = ("_next32", "_state")

    def __init__(self, bit_generator: np.random.BitGenerator) -> None:
        super().__init__(bit_generator)
        interface = bit_generator.ctypes
        self._next32 = _NEXT_UINT32(ctypes.cast(interface.next_uint32, ctypes.c_void_p).value)
        self._state = interface.state_address

    def restart(self, seed: Sequence[int]) -> Draws:
        """Go to the start of `np.random.default_rng(seed)`'s stream, as a new `draws(seed)` would, reusing
        this object (a new one costs about 10 us more: numpy builds the ctypes interface per bit generator)."""
        self.bit_generator.state = np.random.PCG64(np.random.SeedSequence(seed)).state
        return self

    def integer(self, low: int, high: int) -> int:
        """`int(self.integers(low, high))`: one integer in [low, high)."""
        span = high - low
        if not 0 < span < _SPAN:
            return int(self.integers(low, high))  # an empty or huge range: numpy's own checks and algorithm
        if span == 1:
            return low
        m = self._next32(self._state) * span
        if (m & 0xFFFFFFFF) < span:
            threshold = (_SPAN - span) % span
            while (m & 0xFFFFFFFF) < threshold:
                m = self._next32(self._state) * span
        return low + (m >> 32)

    def integers_small(self, low: int, high: int, size: int | tuple[int, ...]) -> np.ndarray:
        """`self.integers(low, high, size)` (int64): numpy fills the array in order with the draws of `integer`."""
        shape = (size,) if isinstance(size, int) else tuple(size)
        count = 1
        for n in shape:
            count *= n
        if not 0 < count <= _ONE_BY_ONE:
            return self.integers(low, high, shape)
        return np.array([self.integer(low, high) for _ in range(count)], dtype=np.int64).reshape(shape)

    def pick(self, options: Sequence[T]) -> T:
        """`self.choice(options)`, returning the item itself (a Python float or str): numpy's choice of
        one item from n is `options[self.integers(0, n)]`."""
        return options[self.integer(0, len(options))]

    def sample(self, n: int, k: int) -> np.ndarray:
        """`self.choice(n, size=k, replace=False)` for a small population: numpy uses Floyd's algorithm
        (a draw in [0, j] for j = n-k .. n-1, j itself when already taken), then shuffles the k picks
        (a draw in [0, i] swaps item i, for i = k-1 down to 1)."""
        if not 0 < k <= n <= 10000:  # numpy tail-shuffles big populations: use its own code there
            return self.choice(n, size=k, replace=False)
        taken: set[int] = set()
        picks: list[int] = []
        for j in range(n - k, n):
            value = self.integer(0, j + 1)
            if value in taken:
                value = j
            taken.add(value)
            picks.append(value)
        for i in range(k - 1, 0, -1):
            j = self.integer(0, i + 1)
            picks[i], picks[j] = picks[j], picks[i]
        return np.array(picks, dtype=np.int64)


def draws(seed: Sequence[int]) -> Draws:
    """`np.random.default_rng(seed)` as a `Draws`: the same PCG64 stream, seeded the same way."""
    return Draws(np.random.PCG64(np.random.SeedSequence(seed)))
