"""Raw landing: the tables, the wire formats and the loader."""
