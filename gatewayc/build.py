"""spec -> generated files per target, in memory. Writing is the caller's job."""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import partial

from ._version import __version__
from .capabilities import grade, is_auth, unexpressible, uses
from . import compiler, fanout
from .diagnostics import Diagnostic, DiagnosticBag, Location, mask_secrets
from .suggest import did_you_mean


@dataclass
class BuildResult:
    files: dict[str, bytes] = field(default_factory=dict)  # path relative to the output dir
    diagnostics: list[Diagnostic] = field(default_factory=list)
    env: dict[str, list[str]] = field(default_factory=dict)  # target -> env vars the gateway needs
    ok: bool = False
    ir: object = None  # the compiled spec's IR when it is valid


def build(spec_path: str, targets: list[str], *, source: str, gateways: list[str] | None = None,
          accept: list[str] | None = None, form: str = "full", subdirs: bool = False,
          aws_api: str = "rest", allow: tuple[str, ...] = ()) -> BuildResult:
    """Compile `spec_path` for each target. `source` is the spec path as written into
    header comments (relative to the output directory, so it is the same from any cwd)."""
    # A build allocates millions of objects that live until it ends (spec tree, IR, output
    # trees); the cyclic collector would walk them again and again: a third of a 10k-route
    # build's time. Paused for the build, restored after (collected then, if anything).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(spec_path, targets, source=source, gateways=gateways, accept=accept, form=form,
                      subdirs=subdirs, aws_api=aws_api, allow=allow)
    finally:
        if enabled:
            gc.enable()


def _build(spec_path: str, targets: list[str], *, source: str, gateways: list[str] | None,
           accept: list[str] | None, form: str, subdirs: bool, aws_api: str,
           allow: tuple[str, ...]) -> BuildResult:
    from gatewayc import backends
    from gatewayc.backends.base import BuildOptions

    result = BuildResult()
    bag = DiagnosticBag()
    compiled = compiler.compile_spec(spec_path, allow)
    bag.extend(compiled.diagnostics)
    # a spec with errors is still graded (what of it is valid), so that one run reports its
    # capability refusals too; its backends do not run, as they take only a valid IR
    spec = compiled.ir if compiled.ok else compiled.partial
    result.ir = compiled.ir
    if spec is None:
        result.diagnostics = mask_secrets(bag.sorted(), compiled.secrets)
        return result
    selected = spec.gateways
    if gateways:
        unknown = [g for g in gateways if spec.gateway(g) is None]
        for g in unknown:
            bag.add(Diagnostic("GWC305", f"no gateway named {g!r} in the spec", Location(spec.source, 1, 1),
                               hint=did_you_mean(g, [x.name for x in spec.gateways])
                               or "gateways: " + ", ".join(x.name for x in spec.gateways)))
        selected = tuple(x for x in spec.gateways if x.name in gateways)
    unknown_target = False
    for t in targets:
        if t not in backends.REGISTRY:
            unknown_target = True
            bag.add(Diagnostic("GWC304", f"unknown target {t!r}",
                               hint=did_you_mean(t, backends.names()) or "targets: " + ", ".join(backends.names())))
    wrong_form = False
    for t in targets:
        if t in backends.REGISTRY and form not in backends.load(t).forms:
            wrong_form = True
            bag.add(Diagnostic("GWC015", f"{t} has no {form!r} form", hint="forms of " + t + ": "
                               + ", ".join(backends.load(t).forms)))
    if unknown_target or wrong_form or (gateways and unknown):
        result.diagnostics = mask_secrets(bag.sorted(), compiled.secrets)
        return result
    spec_accept = dict(spec.accept_degraded)
    plans = []
    found = list(uses(spec, selected)) if targets else []  # the same for every target
    for t in targets:
        accepted = list(accept or []) + list(spec_accept.get(t, ()))
        table = backends.capabilities(t)
        diags, dropped = grade(t, table, found, accepted)
        bag.extend(diags)
        # Every backend runs even when grading already failed, so that one run reports every
        # problem: the problems only the backend can see (a particular use it cannot express)
        # come out together with the refused features. The backend leaves out each feature it
        # cannot express as if accepted; such a build has errors, so nothing of it is written.
        plans.append((t, dropped | unexpressible(table, found), frozenset(f for f in accepted if not is_auth(f))))
    if not compiled.ok:
        plans = []
    jobs = [partial(backends.load(t).build, spec, selected,
                    BuildOptions(source, __version__, frozenset(left_out), form, accepted_t, aws_api))
            for t, left_out, accepted_t in plans]
    routes = sum(len(g.routes) for g in selected)
    # nginx's backend takes several times as long as any other at scale (docs/benchmarks.md): started first
    outputs = fanout.run(jobs, fanout.workers(len(jobs), routes),
                         first=[i for i, (t, _, _) in enumerate(plans) if t == "nginx"])
    for (t, _, _), out in zip(plans, outputs):
        bag.extend(out.notes)
        prefix = f"{t}/" if subdirs else ""
        for path, content in out.files.items():
            result.files[prefix + path] = content
        result.env[t] = sorted(out.env)
    result.diagnostics = mask_secrets(bag.sorted(), compiled.secrets)
    result.ok = not bag.has_errors
    if not result.ok:
        result.files, result.env = {}, {}
    return result
