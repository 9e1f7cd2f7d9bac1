"""Deterministic Chinese demo data for the ledger (``jiuyuan demo``)."""
