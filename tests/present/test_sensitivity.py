"""The sensitivity analysis's plain-words verdict: decided by the budgets and rules, or by the weights."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.present.sensitivity import stability_sentence
from scorer.robustness.smaa import SmaaResult

RULES = "leave the portfolio unchanged: it is decided by the budgets and rules, not by the weights."


def result(kept: int, total: int, nominal: tuple[str, ...] | None = ("a",)) -> SmaaResult:
    portfolios = [p for p in ((("a",), kept), (("b",), total - kept)) if p[1]]
    return SmaaResult(["a", "b"], ["A", "B"], total, np.eye(2), total, np.array([kept / total, 1 - kept / total]),
                      portfolios, nominal)


@pytest.mark.parametrize("kept, total, said", [
    (199, 200, f"199 of 200 sampled weight vectors (99.5 %) {RULES}"),
    (90, 100, f"90 of 100 sampled weight vectors (90 %) {RULES}"),
    (89, 100, ("89 of 100 sampled weight vectors (89 %) leave the portfolio unchanged: the weights matter, since "
               "the other 11 (11 %) choose a different portfolio (see the core index and the flip points).")),
    (0, 3, ("0 of 3 sampled weight vectors (0 %) leave the portfolio unchanged: the weights matter, since the "
            "other 3 (100 %) choose a different portfolio (see the core index and the flip points).")),
])
def test_the_sentence_at_and_around_nine_in_ten(kept, total, said) -> None:
    assert stability_sentence(result(kept, total)) == said


def test_sampled_scores_are_named_and_no_samples_say_nothing() -> None:
    assert stability_sentence(result(97, 100), scores_sampled=True) == (
        f"97 of 100 samples of the weights and scores (97 %) {RULES}")
    assert stability_sentence(result(5, 5, nominal=None)) is None
