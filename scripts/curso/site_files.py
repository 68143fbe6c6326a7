"""The generated files in MkDocs' list of files, for one build whose lessons may still be executing.

MkDocs reads pages in the order of its files: the pages that executing lessons will make are moved
to the end (`read_last`), so every other page is read while the lessons run. Then, either

* the first of them waits for the build to finish (`before_page`), or,
* when the last build's files of the pending pages can stand in for them (`early`: under `serve`,
  where an edit re-executes a lesson that has its pages already), MkDocs reads those, and also
  writes every other page while the lessons run; the first pending page MkDocs is about to write
  waits for the build (`before_context`), and every pending page is read again, finished.

Either way the figures and states that build wrote join the site, those it removed leave it, and
the files' usual order is put back, so the site is the same with or without a cache.
lessons_hook.py only forwards MkDocs' events here.

This is where the build meets MkDocs' objects, so it sits beside the hooks and the pipeline imports
nothing of MkDocs. Under `serve`, lessons_hook.py imports it again with the pipeline when the
pipeline's code changes (it uses the pipeline's classes and functions).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from mkdocs.commands.build import _populate_page
from mkdocs.structure.files import File, InclusionLevel

from curso.pipeline.build import BuildError, StartedBuild, generated_files, site_order
from curso.pipeline.layout import DOCS, GENERATED, NOTEBOOKS, PAGES, REPORT_PAGE


class LessonFiles:
    def __init__(self, root: Path, config, started: StartedBuild | None, finish: Callable[[], None],
                 early: bool = False):
        """`finish`: ends `started` (waits for its lessons, writes); called once, when a pending page
        is needed. `early`: the last build's files of the pending pages stand in for them until then."""
        self.root, self.config = root, config
        self.pending = list(started.pending) if started else []
        self._finish = finish if self.pending else None
        self.early = early and bool(self.pending)
        self._order: list[str] = []  # the files' order before `read_last`
        self._files = None  # MkDocs' list of files (`add`)

    def add(self, files) -> None:
        """The generated files as files of the site, and the pages the executing lessons will make."""
        self._files = files
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
        if self._finish and not self.early and src_uri in self.pending:
            self._finished(files)

    def done(self, files) -> None:
        """Before MkDocs copies the files and writes the pages: the build is finished and the order is
        back, unless the pending pages wait (early) to be written last."""
        if self._finish and self.early:
            return
        if self._finish:
            self._finished(files)
        self._put_back(files)

    def before_context(self, page) -> None:
        """Early: the first pending page MkDocs is about to write waits for the build; then every
        pending page is read again from its new file (all are written after this one), and the
        files the build changed are copied into the site again."""
        if not (self._finish and self.early and page.file.src_uri in self.pending):
            return
        files = self._files
        removed = self._finished(files)
        for name in self.pending:
            file = files.get_file_from_path(name)
            if file is not None and file.page is not None:
                _populate_page(file.page, self.config, files)
        for file in files:
            if file.src_dir == str(self.root / GENERATED) and not file.is_documentation_page():
                file.copy_file(dirty=True)  # only those written since MkDocs copied them
        for file in removed:
            with contextlib.suppress(FileNotFoundError):
                os.remove(file.abs_dest_path)
        self._put_back(files)

    def _finished(self, files) -> list[File]:
        """Finish the build; the files it removed (they have left `files`)."""
        finish, self._finish = self._finish, None
        finish()
        generated = set(generated_files(self.root))
        removed = [file for file in files if file.src_dir == str(self.root / GENERATED)
                   and file.src_uri not in generated]
        for file in removed:
            files.remove(file)
        for name in sorted(generated):
            if files.get_file_from_path(name) is None:
                added = self._file(name)
                added.inclusion = InclusionLevel.INCLUDED
                files.append(added)
        return removed

    def _put_back(self, files) -> None:
        _move_to_end(files, self._order)
        self._order = []

    def _file(self, name: str) -> File:
        return File(name, src_dir=str(self.root / GENERATED), dest_dir=self.config.site_dir,
                    use_directory_urls=self.config.use_directory_urls)


def _move_to_end(files, names: list[str]) -> None:
    for name in names:
        file = files.get_file_from_path(name)
        if file is not None:
            files.remove(file)
            files.append(file)
