"""Fixtures for the assignment tests."""
import pytest

from grader.assignment import load_assignment, load_generators, load_reference


@pytest.fixture(scope="session")
def hw03():
    assignment = load_assignment("hw03")
    return assignment, load_generators(assignment), load_reference(assignment)
