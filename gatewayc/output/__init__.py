from .dump import to_json, to_yaml

__all__ = ["to_json", "to_yaml"]
