"""Sample package for the wheelcache fixtures."""

__version__ = "1.0.0"


def main():
    print("Call your main application code here")
