"""Package of the pyproj-setuptools fixture."""

__version__ = "0.2"
