"""Deterministic stand-ins for servers the tests talk to on loopback."""
