"""The pipeline's own steps: discovering new raw objects, collecting results, the run report."""
