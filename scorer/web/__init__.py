"""The page of ``coprod serve``: routes over the library, the safety layer in front of them, and the static page."""
