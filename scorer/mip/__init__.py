"""Generic mixed-integer programming: linear models, solver runs and what they returned, large solves. No notion of a portfolio."""
