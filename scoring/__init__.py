"""The policy engine: facts in, decisions out (pure: no database, web or search imports)."""
