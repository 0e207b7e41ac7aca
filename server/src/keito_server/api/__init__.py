"""REST API: the v1 and v2 dialects as thin adapters over services/. No SQL here."""
