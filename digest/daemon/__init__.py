"""`digest run`: watch the seeds folder, send digests on schedule, serve the feeds.

`run.py` is the entry point; the other modules are its parts, and `signals` and
`notify` serve `digest serve` too.
"""
