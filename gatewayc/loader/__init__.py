from .files import Loaded, load
from .locate import locate

__all__ = ["Loaded", "load", "locate"]
