"""One checker per registered target, in one place: does the real target accept a build?

Every hardening test (secrets, injection, properties, scale) asks `Checkers.check` for each
name in the backend registry; a registered target missing from CHECKS fails those tests
(never a silent pass), so a new backend lands together with its checker here.

- nginx: `nginx -t` on the written files, and crossplane reads nginx.conf back.
- kong: decK's template step and YAML reader (tests/kong/deck_render, Go) read kong.yml with
  a value for every variable; the result passes decK's JSON schema, Kong's plugin field data
  and Kong's semantic rules (tests/kong/kongcheck.py); ruamel reads decK's rendering alike.
- traefik: the offline checks (Traefik's Go field list, SchemaStore, rules) and the real
  Traefik started on free loopback ports with the files, every router, middleware and
  service enabled and no error logged (tests/traefik/traefik_harness.py).
- envoy: `envoy --mode validate` on envoy.yaml (tests/envoy/envoy_harness.py).
- aws: openapi-spec-validator on openapi.json (with the one renaming tests/aws/awscheck.py
  explains), cfn-lint on template.yaml with no finding; API Gateway's own import rules are the
  backend's lint (backends/aws/lint.py), which runs in every build.
"""
from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from gatewayc import backends
from gatewayc.backends.base import Output
from harness_common import free_port, write_output

# a value for every variable a build names: for Traefik, one its basic-auth template splits
TRAEFIK_ENV_VALUE = "user:pass"


def deck_env(names) -> dict[str, str]:
    """A value for every decK variable, hostile itself (quotes, a template, a line break), and
    short: a variable's name may be long (the kernel limits one variable to 128 KiB). The same
    for all: two builds whose variable names differ read alike (tests/kong checks placement)."""
    return {n: 'secret: "q" ${{ env "X" }} \\ \n end' for n in names}


class Checkers:
    def __init__(self, work: Path):
        self.work = work
        self._deck = None
        self._n = 0

    def deck(self):
        import deck_harness

        if self._deck is None:
            self._deck = deck_harness.Deck(deck_harness.build(self.work / "deckrender"))
        return self._deck

    def fresh(self, label: str) -> Path:
        self._n += 1
        d = self.work / f"{label}-{self._n}"
        d.mkdir(parents=True)
        return d

    def check(self, target: str, files: dict[str, bytes], env_names=(), work: Path | None = None) -> None:
        """Assert that `target`'s real checker accepts the build `files` (paths relative to the
        output directory). `env_names`: the variables the build says the gateway needs."""
        assert target in CHECKS, f"no checker for the registered target {target!r}: add one to {__file__}"
        work = work or self.fresh(target)
        CHECKS[target](self, files, sorted(env_names), work)


def check_nginx(c: Checkers, files: dict[str, bytes], env_names: list[str], work: Path) -> None:
    from nginx_harness import nginx_test, parse_conf

    out = work / "out"
    write_output(out, files)
    checked = nginx_test(out, timeout=900)  # a 10k-route config takes minutes on a loaded machine
    assert checked.returncode == 0, checked.stderr
    assert parse_conf(out)  # crossplane reads it back (asserts status ok)


def check_kong(c: Checkers, files: dict[str, bytes], env_names: list[str], work: Path) -> None:
    import kongcheck

    names = [f for f in files if f.endswith((".yml", ".yaml"))]
    assert names, sorted(files)
    env = deck_env(env_names)
    for name in names:
        doc = c.deck().read(files[name], env)
        errors = kongcheck.schema_errors(doc) + kongcheck.semantic_errors(doc)
        assert not errors, (name, errors[:20])
        rendered = YAML(typ="safe", pure=True).load(io.StringIO(c.deck().render(files[name], env)))
        assert json.loads(json.dumps(rendered)) == doc, name


def check_traefik(c: Checkers, files: dict[str, bytes], env_names: list[str], work: Path) -> None:
    import traefikcheck
    from traefik_harness import load_dynamic, run_traefik

    env = {n: TRAEFIK_ENV_VALUE for n in env_names}
    dynamic = load_dynamic(files["dynamic.yml"], env)
    static = YAML(typ="safe", pure=True).load(io.StringIO(files["traefik.yml"].decode()))
    errors = (traefikcheck.schema_errors(dynamic) + traefikcheck.field_errors(dynamic)
              + traefikcheck.semantic_errors(dynamic, static) + traefikcheck.static_schema_errors(static)
              + traefikcheck.static_flag_errors(static))
    assert not errors, errors[:20]
    out = work / "out"
    write_output(out, files)
    ports = [int(ep["address"].rsplit(":", 1)[1]) for ep in static["entryPoints"].values()]
    moved = {}
    for p in ports:
        q = free_port()
        while q in moved.values():
            q = free_port()
        moved[p] = q
    # a generous wait: under load (8 builds at once on 2 cores) Traefik takes long to load a
    # file, and minutes for a 10k-route one
    run_traefik(work, out, Output(files=files), ports, env, timeout=90 if len(files["dynamic.yml"]) < 10**6 else 900,
                moved=moved).stop()


def check_aws(c: Checkers, files: dict[str, bytes], env_names: list[str], work: Path) -> None:
    import awscheck
    from openapi_spec_validator import validate

    # one API per gateway: openapi.json and template.yaml, prefixed `<gateway>.` when there are several
    prefixes = [n[:-len("openapi.json")] for n in files if n.endswith("openapi.json")]
    assert prefixes and all(p + "template.yaml" in files for p in prefixes), sorted(files)
    for p in prefixes:
        validate(awscheck.for_validator(json.loads(files[p + "openapi.json"])))
        findings = awscheck.cfn_lint(files[p + "template.yaml"].decode())
        assert not findings, (p, findings[:20])


def check_envoy(c: Checkers, files: dict[str, bytes], env_names: list[str], work: Path) -> None:
    from envoy_harness import stand_in_env, validate

    out = work / "out"
    write_output(out, files)
    validate(out / "envoy.yaml", stand_in_env(env_names))


CHECKS: dict[str, Callable[[Checkers, dict[str, bytes], list[str], Path], None]] = {
    "aws": check_aws,
    "envoy": check_envoy,
    "kong": check_kong,
    "nginx": check_nginx,
    "traefik": check_traefik,
}


def targets() -> list[str]:
    """Every registered target: what each hardening test runs over."""
    return backends.names()


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
