"""The stance corpus and its codebook (package data)."""
