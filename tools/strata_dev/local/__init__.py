"""The local twin: the pieces that stand in for AWS services while the real definitions run."""
