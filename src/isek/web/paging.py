"""Long lists in pages: a list that can grow to thousands (a concept's team, a city's people and
concepts, ideas to review) is shown 100 rows at a time, with links to the previous and next page
(web/_pages.html). The page is named in the query (``?seite=2`` or another name where a page
holds two lists); a missing or unreadable number is the first page, one beyond the last the last."""

from __future__ import annotations

from django.db.models import QuerySet

PAGE = 100


def page_of(request, items, size: int = PAGE, param: str = "seite") -> dict:
    """``{"rows", "page", "pages", "previous", "following", "param"}`` for ``items`` (a queryset is
    counted and sliced in the database); ``previous``/``following`` are 0 where there is none."""
    total = items.count() if isinstance(items, QuerySet) else len(items)
    pages = max(1, -(-total // size))
    try:
        number = min(max(1, int(request.GET.get(param, 1))), pages)
    except ValueError:
        number = 1
    return {"rows": items[(number - 1) * size: number * size], "page": number, "pages": pages, "param": param,
            "previous": number - 1, "following": number + 1 if number < pages else 0, "numbers": numbers(number, pages)}


def numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers to link: the first, the last and ``around`` either side of ``page``; None
    where numbers are left out ("…"). Walk 24: only "Nächste Seite" on a list of 7 pages."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] == 2:  # one number left out: shown, not "…"
            out.append(n - 1)
        elif out and n - out[-1] > 2:
            out.append(None)
        out.append(n)
    return out
