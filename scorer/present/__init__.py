"""Results to tables, reports, charts and files for other programs."""
