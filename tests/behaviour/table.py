"""The behavioural table: every group of every cases_*.py, in this order."""
from __future__ import annotations

import cases_actions
import cases_aggregate
import cases_answers
import cases_auth
import cases_limits
import cases_policies
import cases_routing
import cases_upstreams

TABLE = (*cases_routing.GROUPS, *cases_actions.GROUPS, *cases_upstreams.GROUPS, *cases_auth.GROUPS, *cases_limits.GROUPS, *cases_policies.GROUPS, *cases_answers.GROUPS,
         *cases_aggregate.GROUPS)
