"""The ``jiuyuan`` command line: one module per subcommand group, over the service's packages."""
