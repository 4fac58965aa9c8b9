"""axe-core, the accessibility rules engine, fetched once from the npm registry into
the git-ignored var/ folder (`npm pack`, pinned), and run in a Playwright page."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

AXE_VERSION = "4.14.1"
AXE_FOLDER = Path(__file__).resolve().parents[2] / "var" / "axe-core"
AXE_FILE = AXE_FOLDER / f"axe-{AXE_VERSION}.min.js"
BLOCKING = frozenset({"serious", "critical"})


def axe_source() -> str:
    """The minified axe-core script, packed from the npm registry the first time."""
    if not AXE_FILE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: install Debian's npm to run the accessibility "
                        "checks", pytrace=False)
        AXE_FOLDER.mkdir(parents=True, exist_ok=True)
        packed = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--silent", "--pack-destination",
             str(AXE_FOLDER)], capture_output=True, text=True, timeout=180, check=True)
        archive = AXE_FOLDER / packed.stdout.strip().splitlines()[-1]
        with tarfile.open(archive) as bundle:
            member = bundle.extractfile("package/axe.min.js")
            AXE_FILE.write_bytes(member.read())
        archive.unlink()
    return AXE_FILE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """The serious and critical violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return [violation for violation in found if violation["impact"] in BLOCKING]
