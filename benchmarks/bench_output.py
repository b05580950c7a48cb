"""Output speed: Excel workbooks, CSV and terminal tables of a large ranking.

Usage::

    python benchmarks/bench_output.py [--rows 20000] [--columns 20] [--repeat 3]

Times (best of ``--repeat``) on a generated ranking table (rank, id, name,
score and one contribution column per criterion), all in one process:

- ``to_xlsx`` (bold frozen header, number formats, widths, text cells, print layout,
  fixed times) against two baselines: openpyxl's plain ``Workbook.save`` of the
  same cells, and ``pandas.DataFrame.to_excel`` with the openpyxl engine;
- ``to_csv`` (neutralised, exact floats) against ``DataFrame.to_csv``;
- a rich table of the first ``--rich-rows`` rows rendered to a string buffer.

It also checks that two ``to_xlsx`` runs give identical bytes.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
import pandas as pd


def table(rows: int, columns: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    contrib = rng.random((rows, columns)) * (100 / columns)
    score = contrib.sum(axis=1)
    order = np.argsort(-score, kind="stable")
    df = pd.DataFrame({"rank": np.arange(1, rows + 1), "id": [f"c{i:06d}" for i in order],
                       "name": [f"=Candidate {i}" if i % 97 == 0 else f"Candidate {i}" for i in order],
                       "score": score[order]})
    for j in range(columns):
        df[f"crit_{j:02d}"] = contrib[order, j]
    return df


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def plain_openpyxl(df: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False, name=None):
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pandas_excel(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()


def rich_text(df: pd.DataFrame) -> str:
    from rich.console import Console

    from scorer.present.output import rich_table

    console = Console(file=io.StringIO(), width=250, force_terminal=True, color_system="standard")
    console.print(rich_table(df))
    return console.file.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rich-rows", type=int, default=1000)
    args = parser.parse_args()

    from scorer.present.output import to_csv, to_xlsx

    df = table(args.rows, args.columns)
    print(f"table: {args.rows:,} rows x {df.shape[1]} columns")
    ours = best(lambda: to_xlsx({"ranking": df}), args.repeat)
    plain = best(lambda: plain_openpyxl(df), args.repeat)
    via_pandas = best(lambda: pandas_excel(df), args.repeat)
    print(f"xlsx  coprod to_xlsx        {ours:8.3f} s")
    print(f"      openpyxl plain save   {plain:8.3f} s   ratio coprod/plain  {ours / plain:5.2f}")
    print(f"      pandas to_excel       {via_pandas:8.3f} s   ratio coprod/pandas {ours / via_pandas:5.2f}")
    print(f"      identical bytes on rerun: {to_xlsx({'ranking': df}) == to_xlsx({'ranking': df})}")
    ours_csv = best(lambda: to_csv(df), args.repeat)
    pandas_csv = best(lambda: df.to_csv(index=False), args.repeat)
    print(f"csv   coprod to_csv         {ours_csv:8.3f} s   ratio coprod/pandas {ours_csv / pandas_csv:5.2f}"
          f"   (pandas {pandas_csv:.3f} s)")
    head = df.head(args.rich_rows)
    print(f"rich  {len(head):,}-row table       {best(lambda: rich_text(head), args.repeat):8.3f} s")


if __name__ == "__main__":
    main()
