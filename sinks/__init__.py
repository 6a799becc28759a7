"""Rows into the curated store: models, engine factory, migrations helper and the batch writer."""
