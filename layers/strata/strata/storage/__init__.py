from strata.storage.base import ObjectInfo, ObjectStore, sha256_file

__all__ = ["ObjectInfo", "ObjectStore", "sha256_file"]
