"""就援 (jiuyuan): the application package — settings, validation at the edge, the CLI.

The parts of the service live in the sibling packages ``ledger``, ``scoring``,
``indexer``, ``matcher`` and ``api``; this package holds what they all share.
"""

__version__ = "0.1.0"
