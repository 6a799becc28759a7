"""Faust application and agents: thin glue over the pure core in :mod:`sitrep`."""
