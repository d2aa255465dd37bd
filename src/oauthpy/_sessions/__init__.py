"""The session catalogue: every provider's sessions listed, read, forked and deleted through the
vendor's own interface (docs/sessions.md).

`records` holds the shared shapes and the `Catalogue` protocol; one module per vendor implements
it (each a translator of the vendor's own listing, transcript and fork answers), and the registry
names which one an agent uses (``Agent.catalogue``).
"""
