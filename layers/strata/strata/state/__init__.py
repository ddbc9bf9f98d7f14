from strata.state.base import Item, StateStore

__all__ = ["Item", "StateStore"]
