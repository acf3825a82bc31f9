"""Plan: what an import creates, updates or refuses. Pure: no I/O, no web or database library."""
