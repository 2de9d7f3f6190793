"""Draws gives exactly numpy's own values, and leaves the stream where numpy would, draw after draw."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.draws import Draws, draws

SPANS = [(0, 1), (3, 4), (0, 2), (-3, 4), (1, 9), (0, 7), (-4, 5), (0, 1000), (0, 2**31 + 1), (7, 7 + 2**32 - 1)]


def _pair(seed):
    return draws([seed, 11]), np.random.default_rng([seed, 11])


def test_seeded_like_default_rng():
    for seed in ([0], [1, 2, 3], [2**32 - 1, 0, 12345], [2**40]):
        mine, numpys = draws(seed), np.random.default_rng(seed)
        assert isinstance(mine, np.random.Generator) and isinstance(mine, Draws)
        assert np.array_equal(mine.normal(size=5), numpys.normal(size=5))
        assert mine.bit_generator.state == numpys.bit_generator.state


def test_restart_is_a_fresh_stream():
    """Restarting mid-stream, even with half of a 64-bit draw buffered for the next 32-bit one, gives
    exactly what a new default_rng(seed) gives."""
    reused = draws([99])
    for seed in range(200):
        reused.integer(0, 5 + seed)  # leaves PCG64's 32-bit buffer full half of the time
        reused.normal(size=seed % 3)
        numpys = np.random.default_rng([seed, 1, 2])
        assert reused.restart([seed, 1, 2]) is reused
        assert reused.bit_generator.state == numpys.bit_generator.state
        assert reused.integer(0, 7) == int(numpys.integers(0, 7)) and reused.random() == numpys.random()


@pytest.mark.parametrize("low, high", SPANS)
def test_integer_is_int_of_integers(low, high):
    for seed in range(400):
        mine, numpys = _pair(seed)
        got = [mine.integer(low, high) for _ in range(7)]
        assert got == [int(numpys.integers(low, high)) for _ in range(7)]
        assert all(type(v) is int for v in got)
        assert mine.bit_generator.state == numpys.bit_generator.state  # the PCG64 32-bit buffer too


def test_integer_rejects_like_numpy():
    """Lemire's retry happens when the low 32 bits of u * span fall below (2**32 - span) % span:
    with a span of 2**31 + 1 about half of the first draws retry, so the retry path is exercised."""
    span, retried = 2**31 + 1, 0
    for seed in range(300):
        mine, numpys = _pair(seed)
        calls = []
        next32 = mine._next32
        mine._next32 = lambda state: calls.append(1) or next32(state)
        assert mine.integer(0, span) == int(numpys.integers(0, span))
        assert mine.bit_generator.state == numpys.bit_generator.state
        retried += len(calls) > 1
    assert 50 < retried < 250


def test_integer_outside_the_fast_range_is_numpys():
    mine, numpys = _pair(5)
    assert mine.integer(-(2**40), 2**40) == int(numpys.integers(-(2**40), 2**40))
    with pytest.raises(ValueError):
        mine.integer(3, 3)


@pytest.mark.parametrize("size", [1, 3, 8, 9, 40, (2, 3), (4, 1), (12, 3), (0,), (2, 0)])
def test_integers_small_is_integers(size):
    for seed in range(200):
        mine, numpys = _pair(seed)
        got, expected = mine.integers_small(-3, 4, size), numpys.integers(-3, 4, size)
        assert got.dtype == expected.dtype and got.shape == expected.shape and got.strides == expected.strides
        assert np.array_equal(got, expected)
        assert mine.random() == numpys.random()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 16, 40, 200])
def test_sample_is_choice_without_replacement(n):
    for seed in range(300):
        mine, numpys = _pair(seed)
        for k in sorted({1, max(1, n // 3), (seed % n) + 1, n}):
            got, expected = mine.sample(n, k), numpys.choice(n, size=k, replace=False)
            assert got.dtype == expected.dtype and np.array_equal(got, expected), (seed, n, k)
        assert mine.random() == numpys.random()


def test_pick_is_choice():
    for seed in range(300):
        mine, numpys = _pair(seed)
        assert mine.pick("abc") == numpys.choice(list("abc")).item()
        assert mine.pick([0.5, 1.0]) == numpys.choice([0.5, 1.0]).item()
        assert mine.random() == numpys.random()


DRAW = st.sampled_from(["integer", "integers_small", "sample", "random", "normal", "integers", "uniform"])


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), program=st.lists(st.tuples(DRAW, st.integers(1, 12)), max_size=30))
def test_any_mix_of_draws_matches_numpy(seed, program):
    """Fast and numpy draws interleaved in any order: the 32-bit buffer of PCG64 stays shared correctly."""
    mine, numpys = draws([seed]), np.random.default_rng([seed])
    for draw, n in program:
        if draw == "integer":
            assert mine.integer(-n, n + 1) == int(numpys.integers(-n, n + 1))
        elif draw == "integers_small":
            assert np.array_equal(mine.integers_small(0, n + 1, n), numpys.integers(0, n + 1, n))
        elif draw == "sample":
            k = max(1, n // 3)
            assert np.array_equal(mine.sample(n, k), numpys.choice(n, size=k, replace=False))
        else:
            args = {"random": (n,), "normal": (0.0, 1.0, n), "integers": (0, n + 1), "uniform": (0.5, 3.0, n)}[draw]
            assert np.array_equal(getattr(mine, draw)(*args), getattr(numpys, draw)(*args))
    assert mine.bit_generator.state == numpys.bit_generator.state
