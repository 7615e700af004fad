"""bluecard: the provincial registry of high-skill leading talents and its priority API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bluecard")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
