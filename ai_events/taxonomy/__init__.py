"""The event taxonomy as code: registry, lint, diff and generated files."""
