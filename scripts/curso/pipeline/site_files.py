"""The generated files in MkDocs' list of files, for one build whose lessons may still be executing.

MkDocs reads pages in the order of its files: the pages that executing lessons will make are moved
to the end (`read_last`), so every other page is read while the lessons run; the first of them
waits for the build to finish (`before_page`); then the figures and states that build wrote join
the site, those it removed leave it, and the files' usual order is put back (`done`), so the site is
the same with or without a cache. lessons_hook.py only forwards MkDocs' events here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mkdocs.structure.files import File, InclusionLevel

from .build import BuildError, StartedBuild, generated_files, site_order
from .layout import DOCS, GENERATED, NOTEBOOKS, PAGES, REPORT_PAGE


class LessonFiles:
    def __init__(self, root: Path, config, started: StartedBuild | None, finish: Callable[[], None]):
        """`finish`: ends `started` (waits for its lessons, writes); called once, at the first page it makes."""
        self.root, self.config = root, config
        self.pending = list(started.pending) if started else []
        self._finish = finish if self.pending else None
        self._order: list[str] = []  # the files' order before `read_last`

    def add(self, files) -> None:
        """The generated files as files of the site, and the pages the executing lessons will make."""
        for name in site_order({*generated_files(self.root), *self.pending}):
            if files.get_file_from_path(name) is not None:
                raise BuildError(f"{DOCS}/{name} é de um build antigo: o build agora gera as lições em "
                                 f"{GENERATED}/. Apague as cópias antigas: rm -rf {DOCS}/{PAGES} {DOCS}/{NOTEBOOKS} "
                                 f"{DOCS}/{REPORT_PAGE}")
            files.append(self._file(name))

    def read_last(self, files) -> None:
        if self._finish:
            self._order = [file.src_uri for file in files]
            _move_to_end(files, self.pending)

    def before_page(self, src_uri: str, files) -> None:
        if self._finish and src_uri in self.pending:
            self._finished(files)

    def done(self, files) -> None:
        """Before MkDocs copies the files and writes the pages: the build is finished, the order is back."""
        if self._finish:
            self._finished(files)
        _move_to_end(files, self._order)
        self._order = []

    def _finished(self, files) -> None:
        finish, self._finish = self._finish, None
        finish()
        generated = set(generated_files(self.root))
        for file in [file for file in files if file.src_dir == str(self.root / GENERATED)
                     and file.src_uri not in generated]:
            files.remove(file)
        for name in sorted(generated):
            if files.get_file_from_path(name) is None:
                added = self._file(name)
                added.inclusion = InclusionLevel.INCLUDED
                files.append(added)

    def _file(self, name: str) -> File:
        return File(name, src_dir=str(self.root / GENERATED), dest_dir=self.config.site_dir,
                    use_directory_urls=self.config.use_directory_urls)


def _move_to_end(files, names: list[str]) -> None:
    for name in names:
        file = files.get_file_from_path(name)
        if file is not None:
            files.remove(file)
            files.append(file)
