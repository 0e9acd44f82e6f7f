"""The runnable gateways: every adapter_<gateway>.py here. An adapter imports its gateway's
harness, which lives in tests/<gateway>/."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).parent
for _adapter in sorted(HERE.glob("adapter_*.py")):
    _harness_dir = HERE.parent / _adapter.stem.removeprefix("adapter_")
    if str(_harness_dir) not in sys.path:
        sys.path.insert(0, str(_harness_dir))

ADAPTERS = [importlib.import_module(p.stem) for p in sorted(HERE.glob("adapter_*.py"))]
