"""Figures and reports across the domains."""
