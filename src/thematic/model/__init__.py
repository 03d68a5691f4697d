"""Typed models of the project's files and results. No I/O lives here."""
