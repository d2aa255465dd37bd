"""Login state: sources (isolated or external), status, login and logout per vendor."""
