"""Allow `python -m thematic`."""
from thematic.cli import main

raise SystemExit(main())
