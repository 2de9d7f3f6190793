"""Benchmark of the grader: synthetic classes, the real pipeline, a fresh-interpreter baseline and nbgrader."""
