"""Search over the published catalogue (in-process index)."""
