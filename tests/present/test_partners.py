"""scorer.present.partners: the tables of ``coprod partners`` from a PartnerViews."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.errors import ScoringError
from scorer.inputs.loading import load_scenario
from scorer.present.partners import (
    DISAGREEMENTS,
    EXPLAINING,
    partners_document,
    partners_note,
    partners_tables,
    study_views,
)
from scorer.scoring.perspectives import partner_views
from scorer.study.study import Study
from testkit import write_perspectives


@pytest.fixture
def views(case):
    return partner_views(load_scenario(write_perspectives(case)))


def test_ranking_is_in_joint_order_with_each_partners_rank(views) -> None:
    table = partners_tables(views)["ranking"]
    assert list(table["id"]) == [views.joint.ids[i] for i in views.joint.order]
    jp = dict(zip(views.views["JP"].scored.ids, views.views["JP"].scored.ranks))
    assert list(table["rank_JP"]) == [jp[i] for i in table["id"]]
    np.testing.assert_array_equal(table["rank_difference"], np.abs(table["rank_JP"] - table["rank_US"]))


def test_disagreements_explain_the_largest_rank_differences_by_contribution(views) -> None:
    tables = partners_tables(views)
    ranking, table = tables["ranking"], tables["disagreements"]
    spread = ranking[ranking["rank_difference"] > 0]
    want = spread.sort_values("rank_difference", ascending=False, kind="stable")["id"].head(DISAGREEMENTS)
    assert list(dict.fromkeys(table["id"])) == list(want)
    for cid, rows in table.groupby("id", sort=False):
        assert len(rows) == EXPLAINING
        assert list(rows["difference"].abs()) == sorted(rows["difference"].abs(), reverse=True)
        ahead = views.views[rows["ahead"].iloc[0]].scored.contributions.loc[cid]
        np.testing.assert_allclose(rows["contribution_ahead"], ahead[list(rows["criterion"])])


def test_raters_table_has_each_rater_and_the_group(views) -> None:
    table = partners_tables(views)["raters"]
    assert list(table["rater"]) == ["ATLA", "JSDF", "group (AIJ)"]
    np.testing.assert_allclose(table["influence"][:2], [2 / 3, 1 / 3])
    assert table["consensus"].iloc[-1] == pytest.approx(views.views["JP"].group.consensus)


def test_no_raters_no_raters_table(case) -> None:
    case.path.write_text(case.texts["scenario"] + "perspectives:\n  US: {weights: {export_friction: 30}}\n",
                         encoding="utf-8")
    tables = partners_tables(partner_views(load_scenario(case.path)))
    assert "raters" not in tables and tables["disagreements"].empty  # one partner: nothing to explain
    assert (tables["ranking"]["rank_difference"] == 0).all()


def test_non_additive_methods_explain_nothing_and_say_so(case) -> None:
    views = partner_views(load_scenario(write_perspectives(case)), method="weighted-product")
    tables = partners_tables(views)
    assert tables["disagreements"].empty
    assert "weighted-product scores do not split into criterion contributions" in partners_note(views)
    assert partners_document(views, tables)["contributions"] is False


def test_a_study_without_perspectives_is_an_error_naming_the_scenario(case) -> None:
    with pytest.raises(ScoringError, match="scenario.yaml has no perspectives"):
        study_views(Study.load(case.path), "scenario.yaml")
