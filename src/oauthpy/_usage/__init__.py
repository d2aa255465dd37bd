"""The account's usage and quota: what each vendor's own interface says is left (docs/account.md).

`records` holds the shared shapes and the `UsageReader` protocol; one module per vendor reads
it, and the registry names which one an agent uses (``Agent.usage``).
"""
