"""Statistics over scored results: intervals, comparisons between samples, agreement and sampling."""
