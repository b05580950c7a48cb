"""Analyses over many re-solves: sampling, SMAA, flip points, frontiers, alternatives, scale-out."""
