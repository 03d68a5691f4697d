"""Loading users' files: the only layer that reads them. Every problem names its file, line and field."""
