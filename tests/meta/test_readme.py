"""The README's capability matrix is generated; this keeps the copy current."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_readme_matrix_is_current():
    spec = importlib.util.spec_from_file_location("sync_readme", ROOT / "scripts" / "sync_readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    readme = (ROOT / "README.md").read_text()
    assert mod.START in readme and mod.END in readme
    assert mod.render(readme) == readme, "run: python scripts/sync_readme.py"


def test_readme_commands_exist():
    readme = (ROOT / "README.md").read_text()
    for script in ("scripts/shop.sh", "scripts/test.sh"):
        assert f"./{script}" in readme
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_readme_kong_paragraph_is_true():
    """The README says the shop example, built for Kong, names these problems in one run, and
    that the portable example builds for every target (AWS included, as a REST API) and the
    self-hosted one for every self-hosted target."""
    from gatewayc import backends
    from gatewayc.build import build

    readme = (ROOT / "README.md").read_text()
    assert "--target kong --out out/shop/kong" in readme and "examples/portable/gateway.yml --target nginx" in readme
    assert "examples/portable/gateway.yml --target aws" in readme and "examples/self-hosted/" in readme
    r = build(str(ROOT / "examples" / "shop" / "gateway.yml"), ["kong"], source="gateway.yml")
    errors = " | ".join(d.message for d in r.diagnostics if d.is_error)
    assert not r.ok
    for named in ("(aggregation)", "(transform.request.body)", "(upstream.request_timeout)", "failure_percent",
                  "(observability.access_log)", "issuer"):
        assert named in errors, named
    assert len([d for d in r.diagnostics if d.is_error]) == 6, errors
    assert build(str(ROOT / "examples" / "portable" / "gateway.yml"), backends.names(), source="gateway.yml",
                 subdirs=True).ok
    self_hosted = [t for t in backends.names() if t != "aws"]  # AWS refuses it: tests/workflow/test_portable.py
    assert build(str(ROOT / "examples" / "self-hosted" / "gateway.yml"), self_hosted, source="gateway.yml",
                 subdirs=True).ok
