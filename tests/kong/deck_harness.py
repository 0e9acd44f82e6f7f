"""decK's template step and YAML reader, as a Go program built from deck_render/ (see its NOTICE):
what a real `deck gateway sync` reads from a generated kong.yml."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from gatewayc.output.dump import Raw

import kongcheck

SOURCE = Path(__file__).parent / "deck_render"
GOPATH = "/usr/share/gocode"  # Debian's Go packages (golang-k8s-sigs-yaml-dev)


def build(into: Path) -> Path:
    """Build the renderer offline with Debian's golang-go; a missing Go fails, never skips."""
    go = shutil.which("go")
    assert go, "Go is missing: scripts/test.sh installs golang-go and golang-k8s-sigs-yaml-dev"
    out = into / "deckrender"
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": GOPATH, "GOFLAGS": "",
           "GOCACHE": str(into / "gocache")}
    r = subprocess.run([go, "build", "-o", str(out), "."], cwd=SOURCE, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


class Deck:
    def __init__(self, binary: Path):
        self.binary = binary

    def _run(self, text: bytes, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("DECK_")}
        return subprocess.run([str(self.binary), *args], input=text, env={**clean, **env}, capture_output=True)

    def render(self, text: bytes, env: dict[str, str]) -> str:
        r = self._run(text, env)
        assert r.returncode == 0, r.stderr.decode()
        return r.stdout.decode("utf-8")

    def read(self, text: bytes, env: dict[str, str]) -> Any:
        """The document as decK reads it: rendered, then parsed by its YAML reader."""
        r = self._run(text, env, "--json")
        assert r.returncode == 0, r.stderr.decode()
        return json.loads(r.stdout)


def secret_values(names) -> dict[str, str]:
    """A distinct value per decK variable, hostile itself (quotes, a template, a line break)."""
    return {n: f'secret of {n}: "q" ${{{{ env "{n}" }}}} \\ \n end' for n in sorted(names)}


def intended(doc: Any, env: dict[str, str]) -> Any:
    """The document with each placeholder replaced by its variable's value: what decK must read."""
    if isinstance(doc, Raw):
        (var,) = kongcheck.PLACEHOLDER.findall(doc)
        return env[var]
    if isinstance(doc, dict):
        return {k: intended(v, env) for k, v in doc.items()}
    if isinstance(doc, list):
        return [intended(v, env) for v in doc]
    return doc


def placeholders(doc: Any) -> list[str]:
    if isinstance(doc, Raw):
        return kongcheck.PLACEHOLDER.findall(doc)
    if isinstance(doc, dict):
        return [p for v in doc.values() for p in placeholders(v)]
    if isinstance(doc, list):
        return [p for v in doc for p in placeholders(v)]
    return []
