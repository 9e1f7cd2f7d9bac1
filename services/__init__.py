"""The service layer: one module per domain (persons, recognition, postings, placements, claims,
reports, imports). Each works over a database session and the caller; none commits — the
request's unit of work (``api.deps``) commits once, audit entries included, or rolls back.

Who may reach what is decided in one place: ``services.jurisdiction``.
"""
