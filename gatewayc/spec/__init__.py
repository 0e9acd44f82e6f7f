"""The user-facing spec: pydantic models that define and validate its shape.

Semantic checks (references, conflicts, precedence) live in gatewayc.semantics; the
backends never see these models, only the IR.
"""
from .gateway import Spec

__all__ = ["Spec"]
