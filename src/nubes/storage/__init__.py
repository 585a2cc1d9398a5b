"""Durable storage: the embedded SQLite database and the blob files beside it."""
