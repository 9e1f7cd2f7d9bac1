"""Deterministic demo data for a fresh ledger and simulated push outcomes; a tool, not part of the service."""
