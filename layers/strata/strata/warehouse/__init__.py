from strata.warehouse.base import TERMINAL, QueryResult, StatementStatus, Warehouse

__all__ = ["TERMINAL", "QueryResult", "StatementStatus", "Warehouse"]
