"""One module per ACP agent: its `AcpProfile` (docs/acp.md)."""
