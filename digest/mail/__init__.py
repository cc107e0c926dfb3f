"""Email digests: which period is due, what it says, and delivering it exactly once."""
