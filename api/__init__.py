"""HTTP API of the Escalation Assistant (FastAPI)."""
