"""Contracts inferred from samples (``strata sources new``): developer tooling, never shipped.

``sample`` opens a sample (a bounded prefix of it), ``formats`` infers its format with one
function per format, ``types`` types its columns with the converter's own casts, ``keys`` finds
the key and the partition column, ``render`` writes the contract with its review comments,
``staging`` the staging model, ``new`` ties them together.
"""
