"""ids.entity_id computes a name-based UUID by hand (faster than uuid.uuid5, which builds UUID
objects): it must be the same text as uuid.uuid5 for every name, or every id in every
generated kong.yml changes."""
from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from gatewayc.backends.kong import ids


@given(st.text(), st.sampled_from(["route", "service", "plugin", "upstream", "target", "consumer"]), st.text())
def test_entity_id_is_uuid5(gateway: str, kind: str, name: str) -> None:
    assert ids.entity_id(gateway, kind, name) == str(uuid.uuid5(ids.NAMESPACE, f"{gateway}/{kind}/{name}"))
