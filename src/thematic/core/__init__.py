"""Foundations every layer may use: errors, dates, safe output, option parsing, progress and the typeface."""
