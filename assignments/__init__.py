"""Assignment definitions: one folder per assignment (definition TOML, case generators, starters)."""
