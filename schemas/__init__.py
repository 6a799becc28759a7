"""Message contracts: one JSON Schema per topic and version, plus encode/decode at the edge.

The schemas are data files beside this module (``<topic>.schema.json``) with example
messages under ``examples/<topic>/``. ``decode_report`` is the only way a raw message
becomes a :class:`sitrep.model.Report`; it raises :class:`sitrep.errors.InvalidReport`.
"""
