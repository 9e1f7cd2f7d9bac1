"""The HTTP API (Litestar): thin controllers over the ledger, scoring and matcher."""
