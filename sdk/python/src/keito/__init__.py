"""Keito Python SDK (being built)."""
