"""The use cases of 网上申办 (see the modules for each part)."""
