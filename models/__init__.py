"""The default model shipped with stance (package data)."""
