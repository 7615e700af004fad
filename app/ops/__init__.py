"""Running the service: what composes the domains and so cannot live in `core` (migrations
with the release's seed data, backups, the audit API). `core` imports no domain."""
