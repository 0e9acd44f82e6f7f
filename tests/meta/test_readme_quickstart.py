"""The README's quick start works as written: after scripts/shop.sh, the commands it shows
(with the virtualenv activated) validate and build into the one output path shop.sh uses."""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    (block,) = [b for b in blocks if "activate" in b]
    return block.splitlines()


def test_quick_start_activates_the_venv_shop_sh_makes():
    lines = _quick_start_commands()
    assert lines[0] == ". .venv/bin/activate"
    assert "VENV=${GATEWAYC_VENV:-.venv}" in (ROOT / "scripts" / "venv.sh").read_text()


def test_quick_start_uses_the_output_path_of_shop_sh():
    shop = (ROOT / "scripts" / "shop.sh").read_text()
    (shop_out,) = set(re.findall(r"--out (\S+)", shop))
    outs = {m for line in _quick_start_commands() for m in re.findall(r"--out (\S+)", line)}
    assert outs == {shop_out}
    runtime = {m for line in _quick_start_commands() for m in re.findall(r"-p (\S+)", line)}
    assert runtime == {shop_out.replace("out/", "run/", 1)}


def test_quick_start_commands_run(cli, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    ran = 0
    for line in _quick_start_commands():
        if line.startswith("gatewayc "):
            code, out, err = cli(shlex.split(line)[1:], cwd=tmp_path)
            assert code == 0, (line, out, err)
            ran += 1
    assert ran == 2
    assert (tmp_path / "out" / "shop" / "nginx" / "nginx.conf").is_file()
