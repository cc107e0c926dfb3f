"""Publishing: turn stored documents into feeds, pages and an index."""
