"""The third-party files of the web pages: the Europa Component Library's stylesheet (and, for
the browser tests, axe-core), pinned in vendor.json by version and integrity.

They are fetched once, when the project is installed (``python -m gateway.web.vendor
install``, which deploy/run and deploy/test call), with ``npm pack`` from the npm registry
npm is configured with; the tarball's SHA-512 must match the pinned integrity, and only the
listed files are kept, under ``.web-vendor/<name>/<version>/``. At run time the gateway reads
them from there and nothing is fetched: no CDN, no internet.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from services.common.config import REPO_ROOT

MANIFEST = Path(__file__).with_name("vendor.json")
VENDOR_ROOT = REPO_ROOT / ".web-vendor"
COMPLETE = ".complete"
NPM_SECONDS = 300


class VendorError(RuntimeError):
    """A pinned package that could not be fetched or did not match its pin."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str
    files: tuple[str, ...]
    tests_only: bool = False

    @property
    def folder(self) -> Path:
        return VENDOR_ROOT / self.name.replace("/", "+") / self.version

    def path(self, file: str) -> Path:
        if file not in self.files:
            raise KeyError(f"{file} is not kept from {self.name}")
        return self.folder / file

    @property
    def installed(self) -> bool:
        return (self.folder / COMPLETE).exists()


def packages() -> dict[str, Package]:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {
        entry["name"]: Package(
            entry["name"],
            entry["version"],
            entry["integrity"],
            tuple(entry["files"]),
            entry.get("tests_only", False),
        )
        for entry in manifest["packages"]
    }


def matches_integrity(data: bytes, integrity: str) -> bool:
    """Whether ``data`` has the Subresource-Integrity-style digest npm records
    (``sha512-<base64>``)."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise VendorError(f"unsupported integrity algorithm {algorithm!r}")
    return base64.b64encode(hashlib.sha512(data).digest()).decode() == expected


def unpack(package: Package, tarball: bytes) -> None:
    """Keep the package's listed files from its npm tarball (whose entries sit under
    ``package/``), after checking the tarball against its pin."""
    if not matches_integrity(tarball, package.integrity):
        raise VendorError(f"{package.name}@{package.version} does not match its pinned integrity")
    staging = Path(tempfile.mkdtemp(prefix="web-vendor-"))
    try:
        with tempfile.TemporaryFile() as raw:
            raw.write(tarball)
            raw.seek(0)
            with tarfile.open(fileobj=raw, mode="r:gz") as archive:
                wanted = {f"package/{file}": file for file in package.files}
                members = [member for member in archive.getmembers() if member.name in wanted]
                missing = set(wanted) - {member.name for member in members}
                if missing:
                    raise VendorError(f"{package.name} has no {sorted(missing)}")
                archive.extractall(staging, members=members, filter="data")
        if package.folder.exists():
            shutil.rmtree(package.folder)
        package.folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging / "package", package.folder)
        (package.folder / COMPLETE).write_text(package.integrity, encoding="utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch(package: Package) -> bytes:
    """The package's tarball, as the configured npm registry serves it."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed")
    with tempfile.TemporaryDirectory(prefix="npm-pack-") as folder:
        try:
            done = subprocess.run(  # noqa: S603 - pinned arguments
                [
                    npm, "pack", "--silent", "--pack-destination", folder,
                    f"{package.name}@{package.version}",
                ],
                capture_output=True, text=True, timeout=NPM_SECONDS, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise VendorError(f"npm pack {package.name}: {exc}") from exc
        tarballs = list(Path(folder).glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            raise VendorError(f"npm pack {package.name} failed: {done.stderr.strip()}")
        return tarballs[0].read_bytes()


def install() -> list[Package]:
    """Fetch and unpack every pinned package not yet installed; the ones installed."""
    fetched = []
    for package in packages().values():
        if not package.installed:
            unpack(package, fetch(package))
            fetched.append(package)
    return fetched


def main(argv: list[str]) -> int:
    if argv != ["install"]:
        print("usage: python -m gateway.web.vendor install", file=sys.stderr)
        return 2
    try:
        for package in install():
            print(f"installed {package.name}@{package.version}", file=sys.stderr)
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
