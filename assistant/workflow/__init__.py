"""The service's workflow over the store: intake, review queue, decisions, statistics."""
