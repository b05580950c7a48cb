"""The ``coprod`` sub-commands, one module per area; :mod:`scorer.cli` registers them."""
