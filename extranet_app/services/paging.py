"""Server-side pagination shared by the agency's lists."""


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows fill (at least one, so an empty list still has a page 1)."""
    return max(1, -(-total // page_size))
