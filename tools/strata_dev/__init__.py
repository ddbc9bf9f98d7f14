"""Strata's developer tools: the CLI, the local twin, the template and docs generators.

Nothing here ships to Lambda; the runtime package ``strata`` never imports it.
"""
