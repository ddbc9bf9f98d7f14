from strata.catalog.base import Catalog, CatalogColumn, TableDef

__all__ = ["Catalog", "CatalogColumn", "TableDef"]
