"""The bad-input corpus (bad_inputs/*.yml, one malformed spec each, its first line says what is
wrong): every case, and the generated ones too large to keep in git, goes through the real CLI
in a subprocess (`gatewayc build CASE --target all --out OUT --format json`) and exits 1 with
its expected code at its expected file:line:col first, no traceback, and OUT left exactly as
it was. The cases run concurrently (one process per CPU) to keep the suite's wall time down."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "bad_inputs"

# (case, code of the first error, line, column): where the mistake is, written when each case was
# made; where libyaml reports a syntax error elsewhere, the first line of the case says where
CASES = [
    ("syntax-unclosed-flow-map", "GWC001", 14, 9),
    ("syntax-unclosed-flow-seq", "GWC001", 13, 44),
    ("syntax-unclosed-double-quote", "GWC001", 17, 1),
    ("syntax-unclosed-single-quote", "GWC001", 17, 1),
    ("syntax-bad-indentation", "GWC001", 6, 4),
    ("syntax-mapping-in-plain-scalar", "GWC001", 14, 23),
    ("misindented-key-is-unknown", "GWC100", 11, 5),
    ("syntax-undefined-alias", "GWC001", 5, 10),
    ("syntax-bad-escape", "GWC001", 5, 33),
    ("syntax-block-scalar-indent", "GWC001", 16, 10),
    ("syntax-tab-indent-nested", "GWC001", 15, 1),
    ("version-trailing-bracket", "GWC011", 2, 10),
    ("syntax-stray-closing-bracket", "GWC001", 7, 1),
    ("dup-top-level-services", "GWC002", 17, 1),
    ("dup-route-name-key", "GWC002", 15, 9),
    ("dup-flow-map-key", "GWC002", 13, 31),
    ("dup-service-name", "GWC002", 7, 3),
    ("enc-latin1-byte", "GWC003", 12, 17),
    ("enc-overlong-utf8", "GWC003", 5, 32),
    ("enc-utf8-surrogate", "GWC003", 12, 20),
    ("enc-truncated-utf8", "GWC003", 12, 20),
    ("enc-nul-byte", "GWC001", 12, 20),
    ("enc-nel-folds-into-name", "GWC103", 12, 15),
    ("enc-bidi-in-route-name", "GWC103", 12, 15),
    ("enc-zero-width-in-header-name", "GWC112", 16, 37),
    ("enc-bom-mid-file", "GWC001", 6, 13),
    ("empty-comments-only", "GWC004", 1, 1),
    ("empty-document-marker", "GWC004", 1, 1),
    ("empty-whitespace", "GWC004", 1, 1),
    ("top-level-string", "GWC005", 1, 1),
    ("top-level-null", "GWC004", 1, 1),
    ("top-level-sequence-of-specs", "GWC005", 1, 1),
    ("bomb-billion-laughs-lists", "GWC006", 8, 45),
    ("bomb-nested-mappings", "GWC006", 9, 13),
    ("bomb-merge-keys", "GWC006", 8, 29),
    ("bomb-inside-services", "GWC006", 10, 79),
    ("nesting-flow-maps", "GWC007", 3, 263),
    ("nesting-block-sequences", "GWC007", 67, 129),
    ("nesting-mixed", "GWC007", 3, 167),
    ("include-missing-file", "GWC008", 4, 5),
    ("include-itself", "GWC009", 4, 5),
    ("include-not-a-list", "GWC101", 3, 10),
    ("tag-python-object", "GWC010", 5, 10),
    ("tag-cloudformation", "GWC010", 5, 10),
    ("multi-document", "GWC010", 17, 1),
    ("version-two", "GWC011", 2, 10),
    ("version-missing", "GWC011", 2, 1),
    ("version-float", "GWC011", 2, 10),
    ("unknown-service-field", "GWC100", 6, 5),
    ("unknown-top-level", "GWC100", 17, 1),
    ("unknown-policy", "GWC100", 16, 11),
    ("unknown-jwt-field", "GWC100", 16, 63),
    ("type-listeners-map", "GWC101", 9, 16),
    ("type-routes-string", "GWC101", 11, 13),
    ("type-port-list", "GWC101", 10, 15),
    ("type-requests-string", "GWC101", 16, 34),
    ("type-websocket-string", "GWC101", 15, 20),
    ("missing-route-name", "GWC102", 12, 9),
    ("missing-rate-limit-requests", "GWC102", 16, 23),
    ("missing-jwt-algorithms", "GWC102", 16, 23),
    ("value-port-zero", "GWC103", 10, 15),
    ("value-port-too-big", "GWC103", 10, 15),
    ("value-port-huge-integer", "GWC103", 10, 15),
    ("value-bad-algorithm", "GWC103", 16, 37),
    ("value-bad-limit-key", "GWC103", 16, 52),
    ("value-requests-zero", "GWC103", 16, 34),
    ("value-header-value-crlf", "GWC103", 16, 43),
    ("value-header-value-nul", "GWC103", 16, 42),
    ("value-scope-retired", "GWC103", 16, 70),
    ("value-redis-database-too-big", "GWC103", 16, 96),
    ("duration-bare-number", "GWC104", 6, 25),
    ("duration-years", "GWC104", 6, 35),
    ("duration-negative", "GWC104", 16, 43),
    ("size-unknown-unit", "GWC105", 16, 23),
    ("size-negative", "GWC105", 16, 23),
    ("url-ftp", "GWC106", 5, 10),
    ("url-query", "GWC106", 5, 10),
    ("url-userinfo", "GWC106", 5, 10),
    ("url-port-out-of-range", "GWC106", 5, 10),
    ("cidr-host-bits", "GWC107", 16, 24),
    ("cidr-octet", "GWC107", 16, 23),
    ("cidr-ipv6-prefix", "GWC107", 16, 24),
    ("regex-unbalanced", "GWC108", 13, 31),
    ("regex-backreference", "GWC108", 13, 31),
    ("regex-lookbehind", "GWC108", 13, 31),
    ("secret-inline-jwt", "GWC109", 16, 53),
    ("secret-inline-redis", "GWC109", 16, 116),
    ("secret-inline-api-keys", "GWC109", 16, 49),
    ("hostname-double-dot", "GWC110", 13, 21),
    ("hostname-with-port", "GWC110", 13, 21),
    ("hostname-inner-wildcard", "GWC110", 13, 21),
    ("path-no-slash", "GWC111", 13, 23),
    ("path-dot-dot", "GWC111", 13, 23),
    ("path-question-mark", "GWC111", 13, 23),
    ("path-space", "GWC111", 13, 23),
    ("header-name-space", "GWC112", 16, 37),
    ("header-name-colon", "GWC112", 16, 41),
    ("header-name-empty", "GWC112", 16, 37),
    ("exclusive-service-and-respond", "GWC113", 12, 9),
    ("exclusive-url-and-targets", "GWC113", 5, 5),
    ("combo-hmac-with-jwks", "GWC204", 16, 69),
    ("status-respond-99", "GWC103", 14, 27),
    ("status-respond-600", "GWC103", 14, 27),
    ("status-redirect-200", "GWC114", 14, 51),
    ("ref-unknown-policy-set", "GWC200", 16, 17),
    ("ref-unknown-mirror-service", "GWC200", 15, 27),
    ("conflict-duplicate-gateway-route", "GWC201", 17, 15),
    ("conflict-same-match", "GWC202", 18, 16),
    ("conflict-shadowed", "GWC203", 16, 16),
    ("combo-scope-widened", "GWC204", 16, 70),
    ("combo-per-try-over-request", "GWC204", 6, 15),
    ("combo-cors-star-credentials", "GWC204", 16, 17),
    ("combo-burst-zero", "GWC204", 16, 70),
]


def _generated(work: Path) -> dict[str, tuple[str, int, int]]:
    """Cases written at test time: too large for the repository. The flat list passes 1,000,000
    nodes (11 before the list: keys count) at its 999,990th item."""
    huge_list = work / "huge-flat-list.yml"
    with open(huge_list, "w") as f:
        f.write("version: 1\nservices:\n  users: {url: 'http://127.0.0.1:3001'}\nx:\n")
        f.write("  - 1\n" * 1_000_001)
    tail_error = work / "huge-file-error-at-the-end.yml"
    lines = "# " + "x" * 200 + "\n"
    with open(tail_error, "w") as f:
        f.write("version: 1\n" + lines * 20_000 + "gateways: {web: [}\n")
    return {huge_list.name: ("GWC006", 999_994, 5), tail_error.name: ("GWC001", 20_002, 18)}


def _run(spec: Path, out: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GATEWAYC_DEBUG", "FORCE_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    p = subprocess.run([sys.executable, "-m", "gatewayc", "build", spec.name, "--target", "all", "--out", str(out),
                        "--format", "json"], cwd=spec.parent, env=env, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every case run once, concurrently: {case file: (exit code, stdout, stderr, output dir)}."""
    work = tmp_path_factory.mktemp("bad-inputs")
    gen = work / "generated"
    gen.mkdir()
    specs = [CORPUS / f"{c[0]}.yml" for c in CASES] + [gen / n for n in _generated(gen)]

    def one(spec: Path):
        out = work / "out" / spec.stem
        out.mkdir(parents=True)
        (out / "keep.txt").write_text("a previous build")  # must survive a refused build untouched
        return spec.name, (*_run(spec, out), out)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(one, specs))


def test_the_corpus_is_the_table():
    assert sorted(p.stem for p in CORPUS.glob("*.yml")) == sorted(c[0] for c in CASES)
    assert len(CASES) >= 80
    assert len({c[1] for c in CASES}) >= 25  # spread over the diagnostic classes


def _check(runs, name: str, code: str, line: int, col: int) -> None:
    exit_code, out, err, out_dir = runs[name]
    assert "Traceback" not in out + err, err
    assert exit_code == 1, (exit_code, out, err)
    assert sorted(p.name for p in out_dir.iterdir()) == ["keep.txt"]
    assert (out_dir / "keep.txt").read_text() == "a previous build"
    report = json.loads(out)
    assert report["ok"] is False and report["files"] == []
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert errors, report
    # a spec with errors is still graded for each target (one run reports everything), so
    # capability refusals (GWC3xx) may come before the input's own first error
    first = [d for d in errors if not d["code"].startswith("GWC3")][0]
    assert (first["code"], first["file"], first["line"], first["column"]) == (code, name, line, col), first
    for d in report["diagnostics"]:
        assert d["code"] != "GWC900" and d["line"] >= 1 and d["column"] >= 1, d


@pytest.mark.parametrize("name,code,line,col", CASES, ids=[c[0] for c in CASES])
def test_refused_with_its_code_and_position(runs, name, code, line, col):
    _check(runs, f"{name}.yml", code, line, col)


@pytest.mark.parametrize("name", ["huge-flat-list.yml", "huge-file-error-at-the-end.yml"])
def test_huge_inputs_refused_with_position(runs, tmp_path, name):
    _check(runs, name, *_generated(tmp_path)[name])
