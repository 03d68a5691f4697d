"""The inspection workspace in the browser: a Django application on top of the library.

Inspectors sign in, read each case file as a chronology, see the library's automatic results with
their evidence, answer the judgement questions and grade; every change is an append-only event.
The workspace never re-implements scoring: `thematic.web.scoring` calls `thematic.scoring`.
Importing this package loads no Django; `thematic.web.bootstrap.setup` configures it.
"""
