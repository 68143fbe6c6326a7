"""devtools/course_pdf.py without a browser: which lessons, where each starts, and the errors a reader sees."""

import pytest

from curso.pipeline import layout
from devtools import course_pdf

pytestmark = pytest.mark.unit

TITLES = ["Funções de custo para regressão: MSE, MAE e Huber", "Descida do gradiente do zero"]


def built(tmp_path, lessons: list[str]):
    for name in lessons + [layout.FIGURES]:
        (tmp_path / layout.PAGES / name).mkdir(parents=True)
        (tmp_path / layout.PAGES / name / "index.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")
    return tmp_path


def test_lessons_in_course_order_and_only_the_chosen_ones(tmp_path):
    site = built(tmp_path, ["02-b", "01-a", "10-c"])
    assert course_pdf.lesson_urls(site, None) == [("01", "licoes/01-a/"), ("02", "licoes/02-b/"), ("10", "licoes/10-c/")]
    assert course_pdf.lesson_urls(site, ["10", "01"]) == [("01", "licoes/01-a/"), ("10", "licoes/10-c/")]


def test_each_lesson_starts_on_the_first_page_its_title_opens_after_the_previous_one():
    pages = ["Capa", f"Sumário\n{TITLES[0]} 3\n{TITLES[1]} 4",  # the contents name both, further down
             "Funções de custo para regressão: MSE,\nMAE e Huber\nLição 1 de 8", "texto",
             f"{TITLES[1]}\nLição 2", f"Na lição anterior...\n{TITLES[0]}"]
    assert course_pdf.first_pages(pages, TITLES) == [3, 5]
    with pytest.raises(course_pdf.PdfError, match="não abre nenhuma página"):
        course_pdf.first_pages(pages[:4], TITLES)


@pytest.mark.parametrize(("lessons", "message"), [
    (["01-a"], "erro: lição 07 não existe em"),
    ([], "erro: nenhuma lição em"),
])
def test_bad_choice_or_unbuilt_site_is_one_line_in_portuguese(tmp_path, capsys, lessons, message):
    site = built(tmp_path, lessons)
    assert course_pdf.main(["--site", str(site), "--lessons", "07"] if lessons else ["--site", str(site)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(message) and error.count("\n") == 1 and "Traceback" not in error
    assert not (site / layout.PDF).exists()


def test_the_footer_escapes_the_site_name():
    assert "A &amp; B &lt;i&gt;" in course_pdf.footer(course_pdf.TEACHER, "A & B <i>")
    assert 'class="pageNumber"' in course_pdf.footer(course_pdf.STUDENT, "x")
