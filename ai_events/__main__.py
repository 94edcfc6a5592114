"""Allow `python -m ai_events`."""

from ai_events.cli import main

main()
