"""`build --check` speaks every output format, and concurrent builds never mix trees."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

from gatewayc.output import atomic

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "routing" / "gateway.yml"


def _stale_out(cli, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    code, _, err = cli(["build", str(SPEC), "--target", "nginx", "--out", str(out)])
    assert code == 0, err
    conf = out / "nginx.conf"
    conf.write_text(conf.read_text() + "# hand edit\n")
    return out


def test_check_json_is_one_json_document(cli, tmp_path):
    out = _stale_out(cli, tmp_path)
    code, stdout, _ = cli(["build", str(SPEC), "--target", "nginx", "--out", str(out), "--check", "--format", "json"])
    assert code == 2
    report = json.loads(stdout)  # nothing else on stdout
    assert report["up_to_date"] is False
    assert "-# hand edit" in report["diff"]


def test_check_github_annotates_and_groups_the_diff(cli, tmp_path):
    out = _stale_out(cli, tmp_path)
    code, stdout, _ = cli(["build", str(SPEC), "--target", "nginx", "--out", str(out), "--check", "--format", "github"])
    assert code == 2
    assert stdout.startswith("::error ") and "title=GWC308" in stdout
    assert "::group::" in stdout and "::endgroup::" in stdout


def test_check_up_to_date_json(cli, tmp_path):
    out = tmp_path / "out"
    assert cli(["build", str(SPEC), "--target", "nginx", "--out", str(out)])[0] == 0
    code, stdout, _ = cli(["build", str(SPEC), "--target", "nginx", "--out", str(out), "--check", "-f", "json"])
    assert code == 0 and json.loads(stdout)["up_to_date"] is True


def test_concurrent_builds_into_one_directory_leave_one_whole_tree(tmp_path):
    out = tmp_path / "out"
    trees = [{f"f{i}.txt": f"build {n}\n".encode() for i in range(40)} for n in range(6)]
    errors = []

    def run(files):
        try:
            atomic.replace_dir(str(out), files)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in trees]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    on_disk = atomic.read_tree(str(out))
    on_disk.pop(atomic.MANIFEST)
    assert on_disk in trees  # exactly one build's files, never a mix
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "out"]
    assert leftovers == []
    shutil.rmtree(out)
