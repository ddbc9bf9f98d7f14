"""The lake's web face: dashboards and the generated data docs, rendered by Strata itself so the
same code builds the site on a laptop and in a Lambda. The dashboards (``dashboards/*.md``)
query the warehouse through its port, read-only; ``shell.py`` is the page shell both share.
"""
