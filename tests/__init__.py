"""Test suite of the autograder (one sub-package per top-level package)."""
