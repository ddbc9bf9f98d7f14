"""Stand-ins for the outside world the demo ingests from, on 127.0.0.1 only: a vendor REST
API (``vendor_api``) and a partner's SFTP server (``sftp_server``). ``python -m samples.servers``
runs both; ``make demo`` runs ``strata run`` while they serve."""
