"""Inspectors at work: the audit workbook, judgements files per inspector, and moderation.

`write` makes the workbook, `read` reads it back, `judgements` holds the judgements and moderation
file formats, and `sample` puts an inspection's cases and every inspector's judgements together.
"""
