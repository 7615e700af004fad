"""The lists the province extends: services, categories, relations, exit reasons, studio
programmes and category 6's recognition lists (`core.reference` holds the rows)."""
