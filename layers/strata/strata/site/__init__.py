"""The lake's web face: dashboards and the generated data docs, rendered by Strata itself so the
same code builds the site on a laptop and in a Lambda."""
