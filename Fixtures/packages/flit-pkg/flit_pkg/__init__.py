"""Package of the flit-pkg fixture."""

__version__ = "0.4"
