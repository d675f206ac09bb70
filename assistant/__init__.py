"""Escalation Assistant: triage and reply drafting for payments escalation teams."""

__version__ = "0.1.0"
