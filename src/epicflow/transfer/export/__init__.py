"""Export: a project as the JSON bundle or as ccpm markdown files."""
