"""`make bench`: run every benchmark module in bench/ (or those named:
`python -m bench platform_health guides_search`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

SKIP = {"common", "bare_app", "__main__"}


def modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)])
                  if m.name not in SKIP and not m.name.startswith("_") and not m.name.endswith("_app"))


def main(argv: list[str]) -> int:
    names = argv or modules()
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"\n=== bench.{name} ===", flush=True)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
