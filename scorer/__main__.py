"""``python -m scorer``: the ``coprod`` command line, as the console script runs it."""

from scorer.cli.launch import main

if __name__ == "__main__":
    main()
