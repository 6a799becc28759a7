"""Shared pytest wiring: real-service fixtures live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.kafka",
    "tests.fixtures.postgres",
    "tests.fixtures.pipeline",
    "tests.fixtures.secure",
]
