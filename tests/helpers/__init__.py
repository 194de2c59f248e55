"""Shared test helpers: page generators for the bad-input, fuzz, publish and incremental tests."""
