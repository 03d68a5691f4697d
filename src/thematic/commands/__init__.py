"""The commands of the command line, one module each.

Each module defines `register(subparsers)`, which adds its parser (with a `description`, help on
every argument, and `handler` set by `set_defaults`), and the handler, which reads the arguments,
calls the library and prints; it returns an exit code and raises `InputError` for bad input.
Options several commands share are added and read by `thematic.commands._options`. `thematic.cli`
lists the modules in the order `thematic --help` shows them: a new command is a module here and
one name in that list.
"""
