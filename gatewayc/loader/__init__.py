from .files import Loaded, load, outside, outside_diagnostic
from .locate import locate

__all__ = ["Loaded", "load", "locate", "outside", "outside_diagnostic"]
