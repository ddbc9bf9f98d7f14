"""The lake's web face: dashboards as code and the shared page shell, rendered to static HTML.

The same renderer runs locally (``strata site build``) and, later, in a Lambda on AWS: it reads
the project (``dashboards/*.md``) and queries the warehouse through its port, read-only.
"""
