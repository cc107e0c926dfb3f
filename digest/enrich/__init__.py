"""Enrichers: pure functions that summarise and classify articles."""
