"""Ingestion: landing bytes from S3 drops, vendor APIs and SFTP servers in raw, unchanged."""
