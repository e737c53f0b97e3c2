"""/: sends a visitor to their space, or to the login page."""

import reflex as rx

from extranet_app.services import auth
from extranet_app.states.session import LOGIN_PAGE, SessionState


class IndexState(SessionState):
    """Routes the bare address to the right page."""

    @rx.event
    async def route(self):
        user = await self._session_user()
        return rx.redirect(auth.landing_path(user) if user else LOGIN_PAGE, replace=True)


@rx.page(route="/", title="Extranet", on_load=IndexState.route)
def index_page() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")
