"""Every Envoy output the floor check reads, with the build's diagnostics: the Envoy test specs
and examples, tests/envoy/api_1_30/broad.yml (what those leave out: TLS, mTLS, body mapping, a
JWKS URL, every rate-limit key, the cache), every group of the behaviour table, and specs drawn
from the hardening tests' hypothesis strategy and the build benchmark's route-mix generator
(small sizes, derandomized, so every run reads the same outputs)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Iterator, NamedTuple

import yaml

import envoy_cases as cases
from gatewayc.build import build

HERE = Path(__file__).parent
TESTS = HERE.parent
REPO = TESTS.parent
BROAD = HERE / "api_1_30" / "broad.yml"
for extra in (TESTS, TESTS / "behaviour", TESTS / "harden", REPO / "benchmarks"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


class Output(NamedTuple):
    label: str
    doc: dict
    diagnostics: tuple


def _out(label: str, result) -> Output:
    return Output(label, yaml.safe_load(result.files["envoy.yaml"]), tuple(result.diagnostics))


def from_test_specs() -> Iterator[Output]:
    for spec in cases.specs():
        yield _out(cases.label(spec), cases.built(spec))
    r = build(str(BROAD), ["envoy"], source=str(BROAD.relative_to(REPO)))
    assert r.ok, [str(d) for d in r.diagnostics if d.is_error]
    yield _out("broad", r)


def from_table(work: Path) -> Iterator[Output]:
    from table import TABLE
    from table_build import build_group

    for n, group in enumerate(TABLE):
        here = work / f"table-{n}"
        here.mkdir(parents=True)
        for rel, content in group.files.items():
            (here / rel).parent.mkdir(parents=True, exist_ok=True)
            (here / rel).write_bytes(content.encode() if isinstance(content, str) else content)

        def substitute(text: str, here=here, group=group) -> str:
            for i, name in enumerate((*group.upstreams, *group.upgraders)):
                text = text.replace(f"__{name.upper()}__", f"http://127.0.0.1:{20000 + i}")
            return text.replace("__DIR__", str(here)).replace("__CLOSED__", "http://127.0.0.1:19999")

        built = build_group("envoy", group, here, 18000, substitute)
        if built.result is not None and built.result.ok and built.cases:
            yield _out(f"table-{group.name}", built.result)


def from_generators(work: Path, examples: int) -> Iterator[Output]:
    import gen_mix
    from hypothesis import HealthCheck, given, settings
    from test_properties import specs

    from gatewayc.output.dump import to_yaml

    path = work / "mix.yml"
    path.write_text(gen_mix.spec_text(60))
    r = build(str(path), ["envoy"], source="mix.yml")
    assert r.ok, [str(d) for d in r.diagnostics if d.is_error]
    yield _out("gen_mix-60", r)

    found: list[Output] = []

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(specs())
    def each(tree):
        p = work / "prop.yml"
        p.write_text(to_yaml(tree))
        r = build(str(p), ["envoy"], source="prop.yml")
        if r.ok:
            found.append(_out(f"hypothesis-{len(found)}", r))

    each()
    yield from found


def every_output(examples: int = 20) -> list[Output]:
    with tempfile.TemporaryDirectory(prefix="gwc-floor-") as tmp:
        work = Path(tmp)
        return [*from_test_specs(), *from_table(work), *from_generators(work, examples)]
