"""Extract stage: decode a capture, pull the article and its metadata, one row per capture."""
