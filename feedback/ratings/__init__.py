"""好差评: five-level ratings of served events, and the rectification of bad ones."""
