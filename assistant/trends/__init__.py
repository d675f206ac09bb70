"""Trends and root causes over a stream of tickets: volumes, spikes against each series'
own history, emerging groups of similar new tickets, over-represented attributes and terms
as hypotheses, and deflection candidates."""
