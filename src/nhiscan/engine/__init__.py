"""The rule engine: load declarative YAML rules, compile their conditions, evaluate them."""

from nhiscan.engine.evaluate import evaluate
from nhiscan.engine.loader import CompiledRule, load_rules

__all__ = ["CompiledRule", "evaluate", "load_rules"]
