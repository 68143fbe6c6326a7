"""Execute the lessons in lessons_src/ and write their pages, figures and notebooks into the build folder.

Usage: python -m curso.build [--jobs N]
Only stale lessons run (see pipeline/cache.py). On any failure nothing is written and the
exit status is 1, with `lessons_src/<file>:<line>: <error>` for each problem; Ctrl+C stops the
lessons and exits with status 130.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from curso.pipeline.build import INTERRUPTED, BuildError, build
from curso.pipeline.layout import GENERATED

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m curso.build",
                                     description=f"Executa as lições e gera as páginas em {GENERATED}/.")
    parser.add_argument("--jobs", type=int, default=None, help="lições executadas em paralelo (padrão: até 2)")
    parser.add_argument("--root", type=Path, default=ROOT, help="raiz do projeto (padrão: este repositório)")
    args = parser.parse_args()
    start = time.perf_counter()
    try:
        summary = build(args.root, parallel=args.jobs)
    except BuildError as exc:
        print(f"Erro ao gerar as lições:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    seconds = time.perf_counter() - start
    executed = ", ".join(summary.executed) or "nenhuma (tudo veio do cache)"
    count = len(summary.runs)
    print(f"{count} {'lição' if count == 1 else 'lições'}; executadas: {executed}; "
          f"{len(summary.written)} arquivos atualizados; {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
