from setuptools import Extension, setup

setup(
    ext_modules=[Extension("cext_pkg._speedup", ["src/speedup.c"])],
)
