"""The sub-commands of ``coprod``."""
