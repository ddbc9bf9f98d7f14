"""The lake's shared kernel: key layouts, state keys and claims every stage imports."""
