"""Server-rendered pages in Simplified Chinese for clerks, city and province officers, and
the public. Routes call the domain services directly; no rule lives here."""
