"""The portfolio problem, its integer program, the one solve-and-check point, explanations and re-solves."""
