"""Package of the cext-pkg fixture: re-exports the C function add()."""

from ._speedup import add

__version__ = "0.5"
__all__ = ["add"]
