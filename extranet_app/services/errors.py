"""Domain exceptions raised by the services; states turn them into French messages."""


class AccessDenied(Exception):
    """The session user may not see or change this object."""
