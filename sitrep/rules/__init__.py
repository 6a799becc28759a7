"""Versioned rule sets for the classifier, kept as data (``v1.json``); see ``sitrep.classify.rules``."""
