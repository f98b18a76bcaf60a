"""Dagster definitions, one small module per concern."""
