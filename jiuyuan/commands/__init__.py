"""Subcommands of ``jiuyuan`` that carry more than a few lines, one module each."""
