"""Triage: what a ticket is about and whether it needs an escalation specialist."""
