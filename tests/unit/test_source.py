import pytest

from curso.pipeline.source import BlockOptions, CodeBlock, LessonSourceError, TextBlock, parse_lesson

HEADER = "---\ntitle: Título\ndescription: Descrição.\n---\n"


def parse(body: str, header: str = HEADER):
    return parse_lesson(header + body, "lessons_src/01-x.md", slug="01-x")


def error_of(body: str, header: str = HEADER) -> LessonSourceError:
    with pytest.raises(LessonSourceError) as caught:
        parse(body, header)
    return caught.value


def test_splits_text_and_code_with_real_line_numbers():
    lesson = parse("Texto.\n\n```python\nx = 1\ny = 2\n```\nFim.\n")
    kinds = [type(b) for b in lesson.blocks]
    assert kinds == [TextBlock, CodeBlock, TextBlock]
    block = lesson.code_blocks[0]
    assert block.code == "x = 1\ny = 2\n"
    assert block.line == 8  # header is 4 lines, then text, blank, fence
    assert lesson.title == "Título" and lesson.description == "Descrição."


def test_options_flags_and_quoted_values():
    lesson = parse('```python hide-code alt="Curva de custo, com acentuação" raises=ValueError timing\npass\n```\n')
    options = lesson.code_blocks[0].options
    assert options == BlockOptions(hide_code=True, alt="Curva de custo, com acentuação", raises="ValueError",
                                   timing=True)


def test_every_option_of_the_readme_is_a_typed_field_and_a_misspelt_field_is_an_error():
    fence = '```python hide-code hide-output timing alt="a" caption="b" raises=E output=markdown\npass\n```\n'
    options = parse(fence).code_blocks[0].options
    assert options == BlockOptions(True, True, True, "a", "b", "E", "markdown")
    assert parse("```python\npass\n```\n").code_blocks[0].options == BlockOptions()
    with pytest.raises(AttributeError):
        options.hide_cod  # noqa: B018 - a typo in our code fails loudly instead of reading None
    with pytest.raises(AttributeError):
        options.alt = "outra"  # frozen: parsed once, never changed by a later step


def test_only_raises_and_whether_there_is_alt_text_reach_execution():
    def key(fence: str) -> tuple:
        return parse(fence + "pass\n```\n").code_blocks[0].options.for_execution

    plain = key("```python\n")
    assert key('```python hide-code hide-output timing output=markdown caption="x"\n') == plain
    assert key('```python alt="Uma reta"\n') == key('```python alt="Outra reta"\n') != plain
    assert key("```python raises=ValueError\n") != plain


def test_indented_block_inside_admonition_is_dedented_and_keeps_indent():
    lesson = parse('??? success "Solução"\n    Texto.\n\n    ```python\n    for i in range(2):\n        print(i)\n    ```\n')
    block = lesson.code_blocks[0]
    assert block.indent == "    "
    assert block.code == "for i in range(2):\n    print(i)\n"


def test_other_languages_are_text_and_can_contain_python_fences():
    lesson = parse("````markdown\n```python\nnão executa\n```\n````\n\n```bash\nls\n```\n")
    assert lesson.code_blocks == []


def test_doctest_block_is_recognised():
    assert parse("```python\n>>> 1 + 1\n2\n```\n").code_blocks[0].is_doctest


def test_unclosed_fence_names_its_opening_line():
    error = error_of("Texto.\n\n```python\nx = 1\n")
    assert (error.path, error.line) == ("lessons_src/01-x.md", 7)
    assert "nunca fechado" in error.message


def test_unknown_option_is_an_error_with_the_fence_line():
    error = error_of("\n```python esconder\npass\n```\n")
    assert error.line == 6 and "opção de bloco desconhecida: 'esconder'" in error.message


@pytest.mark.parametrize("fence, expected", [
    ("```python alt\n", "precisa de um valor"),
    ("```python hide-code=sim\n", "não recebe valor"),
    ('```python alt="sem fim\n', "aspas"),
    ("```python output=json\n", "output='json' inválido"),
])
def test_bad_option_values(fence, expected):
    assert expected in error_of(fence + "pass\n```\n").message


def test_code_indented_less_than_its_fence_is_an_error():
    error = error_of("!!! note\n    ```python\n    x = 1\n  y = 2\n    ```\n")
    assert error.line == 8 and "recuo" in error.message


@pytest.mark.parametrize("header, expected_line, expected", [
    ("Sem cabeçalho\n", 1, "deve começar com um cabeçalho"),
    ("---\ntitle: x\n", 1, "sem a linha '---'"),
    ("---\ntitle: [x\ndescription: y\n---\n", 3, "cabeçalho YAML inválido"),
    ("---\ntitle: Só título\n---\n", 1, "falta a chave 'description'"),
    ("---\ntitle: T\ndescription: D\nautor: Eu\n---\n", 1, "chave desconhecida no cabeçalho: 'autor'"),
    ("---\ntitle: T\ndescription: D\npip: [lightning]\n---\n", 1, "pacotes fixados"),
])
def test_bad_front_matter(header, expected_line, expected):
    error = error_of("", header)
    assert error.line == expected_line and expected in error.message
    assert str(error).startswith(f"lessons_src/01-x.md:{expected_line}: ")


def test_math_in_a_heading_is_an_error_because_the_table_of_contents_cannot_render_it():
    error = error_of("Texto.\n\n### Multirrótulo: $K$ logits\n")
    assert error.line == 7 and "fórmula em título" in error.message
    assert parse("### Preço em R$ mil e custo em R$ 2\n\n```python\n# comentário com $x$\n```\n")


@pytest.mark.parametrize("header, expected", [
    ("---\ntitle: Custo: MSE\ndescription: D\n---\n",
     "lessons_src/01-x.md:2: cabeçalho YAML inválido: dois-pontos (:) no meio de um valor; se o valor tem ':', "
     'escreva-o entre aspas, como title: "Custo: MSE e MAE"'),
    ('---\ntitle: "Custo\ndescription: D\n---\n',
     "lessons_src/01-x.md:2: cabeçalho YAML inválido: aspas abertas e nunca fechadas"),
    ("---\ntitle: T\ndescription: D\ntimeout: dez\n---\n",
     "lessons_src/01-x.md:1: 'timeout' deve ser o tempo máximo da lição em segundos, como timeout: 600"),
])
def test_yaml_and_header_errors_are_in_portuguese_with_the_line_and_what_to_do(header, expected):
    assert str(error_of("", header)) == expected


def test_timeout_comes_from_the_header_or_the_documented_default():
    assert parse("", "---\ntitle: T\ndescription: D\ntimeout: 600\n---\n").timeout == 600
    assert parse("").timeout == 900


def test_an_option_value_with_spaces_and_no_quotes_says_use_quotes():
    error = error_of("\n```python alt=Reta crescente hide-code\npass\n```\n")
    assert str(error) == ("lessons_src/01-x.md:6: o valor de 'alt' tem espaços: use aspas, "
                          'como alt="Reta crescente"')


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    from curso.pipeline.source import read_lesson

    path = tmp_path / "01-x.md"
    path.write_bytes("\ufeff".encode() + (HEADER + "Texto.\n").encode())
    assert read_lesson(path).title == "Título"
