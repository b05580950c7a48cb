"""coprod: score and select US–Japan defense co-production candidates."""


def __getattr__(name: str) -> str:
    # Looked up when first asked for: importing importlib.metadata costs a tenth of a second
    # at every start, inside which a Ctrl-C would print a traceback (see scorer.cli.launch).
    if name != "__version__":
        raise AttributeError(f"module 'scorer' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("coprod")
    except PackageNotFoundError:  # running from a source tree that is not installed
        value = "0+unknown"
    globals()["__version__"] = value
    return value
