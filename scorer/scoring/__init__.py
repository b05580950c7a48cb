"""Validated models to candidate values: value functions, weights, aggregation and ranking (numpy)."""
