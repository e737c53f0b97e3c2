"""HTTP routes beside Reflex's websocket: login cookie, and later authenticated downloads."""
