"""Deployment-time helpers: reading the SAM template and checking the state machine against it."""
