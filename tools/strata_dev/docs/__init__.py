"""Generated documentation: the contracts reference (docs/sources.md)."""
