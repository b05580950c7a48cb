"""The ``coprod`` command line: option parsing only; every decision is the library's."""
