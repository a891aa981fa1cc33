"""tools: the registry of migration pairs, the equivalence harness, the porter and the CLI.

Not implemented yet (tracked by the "modern" and "tools" issues). ``tools`` reads
both worlds (``legacy_compat`` and ``modern``); neither of them imports ``tools``.
"""
