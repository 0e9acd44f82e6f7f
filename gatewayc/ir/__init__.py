from . import model
from .model import IR

__all__ = ["IR", "model"]
