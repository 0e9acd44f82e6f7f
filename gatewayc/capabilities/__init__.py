from .check import grade, unexpressible
from .features import FEATURES, is_auth, uses
from .support import Support, emulated, native, unsupported

__all__ = ["FEATURES", "Support", "emulated", "grade", "is_auth", "native", "unexpressible", "unsupported", "uses"]
