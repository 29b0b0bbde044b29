"""Package of the hatch-pkg fixture."""

__version__ = "0.3"
