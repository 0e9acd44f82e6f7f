from .pipeline import Compiled, compile_spec

__all__ = ["Compiled", "compile_spec"]
