"""The capability policy as a table: (declared support, accepted features) -> diagnostics."""
import pytest

from gatewayc.capabilities import FEATURES, emulated, grade, native, unsupported
from gatewayc.diagnostics import Location

LOC = Location("gateway.yml", 12, 7)
ROUTE = "route 'dash' of gateway 'web'"


@pytest.mark.parametrize(
    "feature, support, accepted, codes, dropped",
    [
        ("aggregation", native(), [], [], set()),
        ("aggregation", emulated("njs subrequests"), [], ["GWC301"], set()),
        ("aggregation", unsupported("no plugin"), [], ["GWC300"], set()),
        ("aggregation", unsupported("no plugin"), ["aggregation"], ["GWC302"], {"aggregation"}),
        ("aggregation", unsupported("no plugin"), ["cache"], ["GWC300"], set()),
        # auth is never accepted away: still an error, plus an error for trying
        ("auth.jwt.jwks_url", unsupported("no fetcher"), ["auth.jwt.jwks_url"], ["GWC300", "GWC303"], set()),
        ("cache", native(), ["no.such.feature"], ["GWC307"], set()),
    ],
)
def test_grade_table(feature, support, accepted, codes, dropped):
    diags, out = grade("nginx", {feature: support}, [(feature, LOC, ROUTE)], accepted)
    assert sorted(d.code for d in diags) == sorted(codes)
    assert out == dropped


def test_unsupported_error_names_route_feature_target_and_position():
    diags, _ = grade("kong", {"aggregation": unsupported("OSS Kong has no aggregation")},
                     [("aggregation", LOC, ROUTE)], [])
    (d,) = diags
    assert d.is_error and d.location == LOC
    for part in ("'dash'", "aggregation", "kong", "OSS Kong has no aggregation"):
        assert part in d.message
    assert "--accept-degraded aggregation" in d.hint


def test_undeclared_feature_counts_as_unsupported():
    diags, _ = grade("nginx", {}, [("cors", LOC, ROUTE)], [])
    assert [d.code for d in diags] == ["GWC300"]


def test_feature_ids_are_stable_strings():
    assert all(f == f.lower() and " " not in f for f in FEATURES)
