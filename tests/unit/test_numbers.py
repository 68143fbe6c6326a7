"""The one pt-BR number formatter: slider labels, alt texts and captions of explorables, quiz answers."""

import pytest

from curso.pipeline.numbers import pt_br_number


@pytest.mark.parametrize("value, shown", [
    (0.75, "0,75"), (756.25, "756,25"), (3.0, "3"), (2, "2"), (-1.5, "-1,5"), (1e-3, "0,001"), (0.0001, "0,0001"),
    (1 / 3, "0,3333"), (-1.2345678, "-1,235"), (0.000123456789, "0,0001235"), (1.5e-7, "1,5 × 10⁻⁷"),
])
def test_a_decimal_comma_exact_or_with_four_significant_digits(value, shown):
    assert pt_br_number(value) == shown


@pytest.mark.parametrize("value, shown", [
    (5000, "5.000"), (5000.0, "5.000"), (999, "999"), (1234.5, "1.234,5"), (1234.56789, "1.235"),
    (-1234567, "-1.234.567"), (12345.5, "12.345,5"), (2e9, "2 × 10⁹"),
])
def test_thousands_are_grouped_with_a_dot(value, shown):
    assert pt_br_number(value) == shown
