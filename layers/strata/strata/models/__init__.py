from strata.models.plan import Batch, plan_run

__all__ = ["Batch", "plan_run"]
