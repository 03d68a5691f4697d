"""thematic: score police child-protection case files against inspection criteria."""

__version__ = "0.1.0"
