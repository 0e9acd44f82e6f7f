"""Package discovery only; all metadata lives in pyproject.toml.

backends/ is shipped as gatewayc.backends (see package-dir in pyproject.toml), so its
sub-packages have to be listed under that name: setuptools' declarative find cannot
rename a directory tree. Directories that hold only data files (nginx/njs, traefik/plugin)
are listed too, as namespace packages, so that their files are package data.
"""
from setuptools import find_namespace_packages, find_packages, setup

packages = find_packages(".", include=["gatewayc", "gatewayc.*"])
packages += ["gatewayc.backends"] + [
    f"gatewayc.backends.{name}" for name in find_namespace_packages("backends", exclude=["*__pycache__*"])
]

setup(packages=packages)
