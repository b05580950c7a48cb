"""Numbers a user types (options, ``ID=NUMBER`` arguments): real, finite and representable, or refused.

Python's ``float`` reads ``nan``, ``inf`` and ``1e400`` (infinity) without
complaint and turns ``1e-400`` into 0; none of them is a number anyone meant
as a budget, a time limit or a weight. :func:`parse_number` is the one place
that reads such text, so every option and argument refuses the same things.
"""

from __future__ import annotations

import math
import re

# The mantissa of a decimal number: whether it has a non-zero digit decides
# whether a 0.0 from float() is the number typed or an underflow.
_EXPONENT = re.compile(r"[eE][-+]?[0-9_]*$")


def parse_number(text: str) -> float:
    """The finite float that ``text`` spells.

    Parameters
    ----------
    text : str
        A decimal number as Python writes it (``12``, ``0.5``, ``1e-3``,
        ``1_000``), with optional surrounding blanks.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        With a message saying why: not a number, not finite (``nan``,
        ``inf``, or beyond the largest double, about 1.8e308), or so small
        that it would be stored as 0 (below about 4.9e-324).
    """
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"'{text}' is not a number") from None
    if math.isnan(value):
        raise ValueError(f"'{text.strip()}' is not a number (NaN)")
    if math.isinf(value):
        raise ValueError(f"'{text.strip()}' is not a finite number (the largest is about 1.8e308)")
    if value == 0 and re.search(r"[1-9]", _EXPONENT.sub("", text.strip())):
        raise ValueError(f"'{text.strip()}' is too small to be stored: it would become 0 (the smallest is about 5e-324)")
    return value
