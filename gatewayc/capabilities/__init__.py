from .check import grade
from .features import FEATURES, is_auth, uses
from .support import Support, emulated, native, unsupported

__all__ = ["FEATURES", "Support", "emulated", "grade", "is_auth", "native", "unsupported", "uses"]
