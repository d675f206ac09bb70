"""Evaluation: measured quality figures for each capability."""
