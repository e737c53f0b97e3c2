"""Server-side pagination shared by the agency's lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows fill (at least one, so an empty list still has a page 1)."""
    return max(1, -(-total // page_size))


@dataclass(frozen=True)
class ListPage(Generic[Row]):
    """One page of a list paged by the database, with the total for the pager."""

    rows: list[Row]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)
