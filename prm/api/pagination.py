from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Stable, index-friendly pagination for large lists (newest first by default)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
