from strata.contracts.loader import load_contract, load_contracts, parse_contract
from strata.contracts.model import Column, SourceContract

__all__ = ["Column", "SourceContract", "load_contract", "load_contracts", "parse_contract"]
