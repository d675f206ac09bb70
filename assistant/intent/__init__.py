"""Intent classification: which of the team's issue types a ticket is about."""
