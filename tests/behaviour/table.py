"""The behavioural table: every group of every cases_*.py, in this order."""
from __future__ import annotations

import cases_actions
import cases_routing

TABLE = (*cases_routing.GROUPS, *cases_actions.GROUPS)
