"""More commands of the command line, one module each.

Each module defines `register(subparsers)`, which adds its parser (with a `description`, help on
every argument, and `handler` set by `set_defaults`). `thematic.cli` finds the modules here by
itself, so adding a command never means editing the CLI's core. A handler returns an exit code
and raises `InputError` for bad input.
"""
