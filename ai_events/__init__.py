"""ai-events: tracker events to a governed taxonomy and trustworthy KPIs."""

__version__ = "0.1.0"
