from strata.secrets.base import SecretStore

__all__ = ["SecretStore"]
