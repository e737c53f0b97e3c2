"""Drive Reflex states without a browser: a state tree with the request data a websocket gives."""

from __future__ import annotations

import reflex as rx

from extranet_app.settings import get_settings


def state_tree(*, token: str = "", path: str = "/", query: str = "") -> rx.State:
    """A fresh root state whose connection carried `token` in the session cookie."""
    root = rx.State(_reflex_internal_init=True)
    cookie = f"{get_settings().session_cookie_name}={token}; theme=dark" if token else "theme=dark"
    router_data = {
        "headers": {"cookie": cookie, "origin": "http://localhost:3000"},
        "pathname": path,
        "asPath": f"{path}?{query}" if query else path,
        "query": dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair),
        "ip": "127.0.0.1",
        "token": "tab-token",
        "sid": "socket-id",
    }
    root.router_data = router_data
    root._update_router_vars(router_data, {})
    return root


def substate(root: rx.State, state_class: type[rx.State]) -> rx.State:
    """The instance of `state_class` inside `root`'s tree."""
    path = state_class.get_full_name().split(".")[1:]
    state = root
    for name in path:
        state = state.substates[name]
    return state


def event_args(event) -> dict[str, object]:
    """The literal arguments of an EventSpec returned by a handler (e.g. a redirect's path)."""
    return {name._js_expr: getattr(value, "_var_value", None) for name, value in event.args}


def redirect_path(event) -> str | None:
    """The path a handler's return value redirects to, or None when it does not redirect."""
    if event is None or event.handler.fn.__qualname__ != "_redirect":
        return None
    return str(event_args(event)["path"])


def browser_payload(root: rx.State) -> str:
    """Exactly what the browser would receive for the pending changes, as JSON text."""
    from reflex_base.utils.format import json_dumps

    return json_dumps(root.get_delta())
