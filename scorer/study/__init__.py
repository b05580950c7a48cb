"""The study: one scenario loaded once with its overrides, handing out everything computed from it."""
