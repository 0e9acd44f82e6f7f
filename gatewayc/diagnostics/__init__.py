"""Diagnostics: what gatewayc tells users about their spec and their builds.

Library code never prints; it returns :class:`Diagnostic` values and the CLI renders them.
"""
from .model import Diagnostic, Location, Severity, DiagnosticBag, mask_secrets
from .codes import CODES, Code

__all__ = ["CODES", "Code", "Diagnostic", "DiagnosticBag", "Location", "Severity", "mask_secrets"]
