"""Files to validated models: YAML reading, the pydantic models, cross-file checks, located errors."""
