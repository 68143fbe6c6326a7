"""Numbers as a Brazilian reader writes them: decimal comma, thousands grouped with a dot."""

from __future__ import annotations

SIGNIFICANT_DIGITS = 4
EXACT_DIGITS = 6  # a value these many significant digits write exactly is shown whole
LARGEST_WHOLE = 1e9  # whole numbers below this are written out; above, as a power of ten
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def pt_br_number(value: float | int) -> str:
    """5000 -> "5.000"; 1234.5 -> "1.234,5"; 0.001 -> "0,001"; 1/3 -> "0,3333"; 1.5e-7 -> "1,5 × 10⁻⁷".

    Exact when a few digits say it, else four significant digits (a power of ten when tiny or huge).
    """
    value = float(value)
    if value == int(value) and abs(value) < LARGEST_WHOLE:
        return _grouped(str(int(value)))
    short = f"{value:.{EXACT_DIGITS}g}"
    text = short if float(short) == value else f"{value:.{SIGNIFICANT_DIGITS}g}"
    mantissa, _, exponent = text.partition("e")
    whole, _, decimals = mantissa.partition(".")
    mantissa = _grouped(whole) + ("," + decimals if decimals else "")
    if not exponent:
        return mantissa
    return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def _grouped(whole: str) -> str:
    """"-1234567" -> "-1.234.567"."""
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return sign + f"{int(digits):,}".replace(",", ".")
