"""A module installed by a setup.py-only project."""

__version__ = "0.1"


def hello():
    return "hello from legacy_setuppy"
