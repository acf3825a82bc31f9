"""Write: a checked plan applied to the project's tables in bulk, in the caller's transaction."""
