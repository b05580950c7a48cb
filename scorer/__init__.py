"""coprod: score and select US–Japan defense co-production candidates."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coprod")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
