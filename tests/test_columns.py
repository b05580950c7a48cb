"""scorer.columns: every result table says what each of its columns is."""

from __future__ import annotations

import pandas as pd
import pytest

from scorer import columns
from scorer.inputs.loading import load_scenario


def test_declared_kinds_survive_the_table_operations_commands_use() -> None:
    df = columns.declare(pd.DataFrame({"rank": [1, 2], "id": ["a", "b"], "share": [0.4, 0.6], "x": [1.5, 2.5],
                                       "ok": [True, False]}), {"share": columns.FRACTION})
    for shown in (df[["rank", "share"]], df[df["rank"] > 1], df.drop(columns="id"), df.copy(),
                  df.astype({"rank": "Int64"}), df[df["rank"] > 1].reset_index(drop=True)):
        assert columns.kind_of(shown, "share") == columns.FRACTION
    # Undeclared: judged by dtype, and a float is never a percentage.
    assert [columns.kind_of(df, c) for c in ("rank", "id", "x", "ok")] == [
        columns.COUNT, columns.TEXT, columns.NUMBER, columns.FLAG]
    assert columns.kind_of(df.astype({"rank": "Int64"}), "rank") == columns.COUNT
    with pytest.raises(ValueError, match="unknown column kinds: share"):
        columns.declare(df, {"x": "share"})


def test_declare_ignores_absent_columns_and_adds_to_earlier_kinds() -> None:
    df = columns.declare(pd.DataFrame({"a": [1.0]}), {"a": columns.MONEY, "gone": columns.YEAR})
    columns.declare(df, {"b": columns.POINTS})
    assert df.attrs["kinds"] == {"a": columns.MONEY}


def all_tables(write_case, folder) -> dict[str, pd.DataFrame]:
    """Every table a command writes, built by the library on the small scenario."""
    from scorer.robustness.alternatives import alternatives_table, k_best, roles_table
    from scorer.present.compare import compare, solve_side
    from scorer.robustness.frontier import buy_order, frontier, frontier_table, sweep_levels
    from scorer.portfolio.solve import optimize
    from scorer.mip.config import scenario_config
    from scorer.portfolio.problem import problem_from_inputs
    from scorer.present.solution import explanation_tables, schedule_table, selection_table
    from scorer.scoring.score import candidate_values, ranked_table, score, weights_table
    from scorer.present.sensitivity import sensitivity_report
    from scorer.study.settings import RobustnessSettings
    from scorer.study.study import Study
    from scorer.scoring.weights import derive_weights

    case = write_case(folder)
    inputs = load_scenario(case.path)
    problem, config, values = problem_from_inputs(inputs), scenario_config(inputs.scenario), candidate_values(inputs)
    sol = optimize(problem, values, config)
    tables = {"ranking": ranked_table(score(inputs)), "weights": weights_table(derive_weights(inputs.criteria)),
              "portfolio": selection_table(sol), "schedule": schedule_table(sol),
              **explanation_tables(sol, config)}
    result = frontier(problem, values, config, sweep_levels(problem, None, None, 3, None), workers=1)
    tables |= {"frontier": frontier_table(result), "buy_order": buy_order(result)}
    best = k_best(problem, values, config, 2)
    tables |= {"alternatives": alternatives_table(best), "roles": roles_table(best)}
    settings = RobustnessSettings.from_scenario(inputs.scenario, samples=20, portfolio_samples=3, workers=1)
    report = sensitivity_report(Study(inputs), settings)
    tables |= {f"sensitivity {k}": v for k, v in report.tables.items()}
    side = solve_side("a", Study(inputs))
    tables |= {f"compare {k}": v for k, v in compare(side, side).items()}
    return tables


@pytest.mark.slow
def test_every_column_of_every_result_table_is_declared(write_case, tmp_path) -> None:
    tables = all_tables(write_case, tmp_path)
    missing = {name: [c for c in t.columns if c not in t.attrs.get("kinds", {})] for name, t in tables.items()}
    assert not {k: v for k, v in missing.items() if v}, missing
    percent = {name: sorted(c for c in t.columns if columns.kind_of(t, c) == columns.FRACTION)
               for name, t in tables.items()}
    # Only shares are fractions: no gap in points or percent, no contribution, no money.
    assert percent["ranking"] == [] and percent["alternatives"] == [] and percent["portfolio"] == []
    assert percent["weights"] == ["effective_weight"] and percent["frontier"] == ["gap"]
    assert percent["sensitivity portfolios"] == ["share"]
