"""Figures and reports across the domains (register, lookups, assistance, studios), for
the province's oversight; each figure behind the same city wall as its domain's reads."""
