"""Cases of the benchmark's tiny assignment: hw03's relu cases (its lecture case and its random ones)."""
from __future__ import annotations

from assignments.hw03 import cases as hw03

fixed_cases = hw03.fixed_cases
random_case = hw03.random_case
