"""Keito server: REST API (v1 and v2 dialects) and web app over one set of services."""

__version__ = "0.1.0"
