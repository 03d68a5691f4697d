"""Evaluation: the criteria language, scoring case files, grading and aggregating their results."""
