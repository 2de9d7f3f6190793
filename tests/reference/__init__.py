"""Tests of the reference solution, the lecture transcription and the replay."""
