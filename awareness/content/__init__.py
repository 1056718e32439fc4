"""Content as validated data: YAML files -> pydantic models, and the `check` command."""
