"""Fault tests: processes killed, the store and the broker taken away mid-run; nothing lost, nothing twice."""
