from setuptools import setup

setup(
    name="legacy-setuppy",
    version="0.1",
    description="A setup.py-only project used as a wheelcache fixture",
    py_modules=["legacy_setuppy"],
)
