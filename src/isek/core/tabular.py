"""Text that goes into spreadsheets (CSV, XLSX) as text, never as a formula (no Django)."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(text: str) -> str:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(…)``, ``+cmd``, ``@SUM``,
    a leading tab or CR) gets a leading apostrophe, so Excel and LibreOffice show it as text."""
    return "'" + text if text[:1] in FORMULA_START else text
