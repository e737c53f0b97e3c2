"""Live Messagerie: a page with conversations open polls one cheap query and reloads on change.

Why polling and not a broadcast: with several backend workers (Redis), an in-process broadcast
never reaches the tab whose websocket lives in another worker, while the database is shared by
all. Each open page runs one background event (`watch`) that asks every POLL_SECONDS "when did
anything I can see last change, and how many unread?" — an index-only query — outside the state
lock, and takes the lock to reload only when the answer changed.

`watch` is chained from the page's on_load: Reflex 0.10 cancels the on_load chain of a tab, with
its background children, when the tab navigates elsewhere (a newer on_load supersedes it) or its
websocket disconnects (tab closed). The loop also stops when the login session ends, and checks
every CHECK_EVERY polls that it is still the tab's current watcher on the same page.
"""

from __future__ import annotations

import asyncio
import secrets

import reflex as rx

from extranet_app.db import session_scope
from extranet_app.services import auth, messaging
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.messaging import Activity
from extranet_app.services.sections import OwnerSection, TenantSection, section_enabled
from extranet_app.states.session import SessionState, session_token_from

POLL_SECONDS = 2.0
BADGE_POLL_SECONDS = 10.0
CHECK_EVERY = 15  # polls between two checks that the page and the watcher are still current
MAX_POLLS = 12 * 3600 // 2  # a staff session lasts 12 hours at most
MESSAGING_PATHS = ("/locataire/messages", "/proprietaire/messages", "/agence/messages")
_MESSAGES_SECTIONS = {Space.TENANT: TenantSection.MESSAGES, Space.OWNER: OwnerSection.MESSAGES}
_SPACE_PREFIXES = {
    "/agence": Space.AGENCY,
    "/locataire": Space.TENANT,
    "/proprietaire": Space.OWNER,
}


def _poll_user(session, token: str, preview_user_id: int | None, space: Space):
    """The tab's user for a poll: like SessionState._session_user, but a poll is not activity,
    so it does not keep an idle login session alive."""
    user = auth.resolve_session(session=session, token=token, touch=False)
    if user is not None and preview_user_id is not None and space != Space.AGENCY:
        user = auth.reopen_preview(session=session, staff=user, target_user_id=preview_user_id)
    if user is None or not user.can_enter(space):
        return None
    if space in _MESSAGES_SECTIONS and not section_enabled(
        session=session, user=user, space=space, section=_MESSAGES_SECTIONS[space]
    ):
        return None  # the agency turned the Messagerie off for this person
    return user


def poll_activity(token: str, preview_user_id: int | None, space: Space) -> Activity | None:
    """One poll (blocking): the activity `space` shows its user, or None once the session ended."""
    with session_scope() as session:
        user = _poll_user(session, token, preview_user_id, space)
        if user is None:
            return None
        return messaging.activity(session=session, user=user, space=space)


def poll_unread(token: str, preview_user_id: int | None, space: Space) -> int | None:
    """The badge's poll (blocking): the unread count, or None once the session ended."""
    with session_scope() as session:
        user = _poll_user(session, token, preview_user_id, space)
        if user is None:
            return None
        return messaging.unread_count(session=session, user=user, space=space)


def space_of(path: str) -> Space | None:
    """The space a page path belongs to."""
    for prefix, space in _SPACE_PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return space
    return None


def badge_text(count: int) -> str:
    """What the navigation badge shows: nothing, the count, or "99+"."""
    return "" if count <= 0 else ("99+" if count > 99 else str(count))


class UnreadBadgeState(SessionState):
    """The unread count shown beside "Messagerie" / "Messages" in every space's navigation."""

    unread: int = 0

    @rx.var
    def text(self) -> str:
        return badge_text(self.unread)

    @rx.event(background=True)
    async def watch_unread(self):
        """Keep the badge current on every page of a space (every BADGE_POLL_SECONDS); the
        Messagerie pages update it themselves, faster, from their own poll."""
        async with self:
            path, token = self.router.url.path, session_token_from(self.router.headers.cookie)
            space, preview = space_of(path), self._preview_user_id
        if space is None or not token:
            return
        polls = 0
        last: int | None = None
        while polls < MAX_POLLS:
            current = await asyncio.to_thread(poll_unread, token, preview, space)
            if current is None:
                return
            if current != last:
                async with self:
                    self.unread = current
                last = current
            if path.rstrip("/") in MESSAGING_PATHS:
                return  # the page's own watcher takes over
            await asyncio.sleep(BADGE_POLL_SECONDS)
            polls += 1


class LiveMessagesMixin(SessionState, mixin=True):
    """A page that reloads its conversations when they change (see the module docstring)."""

    _live_token: str = ""
    _live_activity: Activity | None = None

    def _space(self) -> Space:
        raise NotImplementedError

    async def _live_refresh(self, user: SessionUser) -> None:
        """Reload what the page shows (called under the state lock)."""
        raise NotImplementedError

    async def _remember_activity(self, user: SessionUser) -> None:
        """Note the current activity, so that the first poll does not reload for nothing."""
        self._live_activity = await asyncio.to_thread(_activity_of, user, self._space())
        await self._show_unread(self._live_activity)

    async def _show_unread(self, current: Activity | None) -> None:
        if current is not None:
            badge = await self.get_state(UnreadBadgeState)
            badge.unread = current.unread

    @rx.event(background=True)
    async def watch(self):
        """Poll while this page stays open in this tab; reload when something changed."""
        async with self:
            mine = self._live_token = secrets.token_hex(8)
            token = session_token_from(self.router.headers.cookie)
            path, preview = self.router.url.path, self._preview_user_id
            last = self._live_activity
        for polls in range(1, MAX_POLLS + 1):
            await asyncio.sleep(POLL_SECONDS)
            current = await asyncio.to_thread(poll_activity, token, preview, self._space())
            if current is None:
                return  # logged out, expired or no longer allowed: stop polling
            if current == last and polls % CHECK_EVERY:
                continue
            async with self:
                if self._live_token != mine or self.router.url.path != path:
                    return
                if current != last:
                    user = await self._session_user(self._space())
                    if user is None:
                        return
                    await self._live_refresh(user)
                    self._live_activity = current
                    await self._show_unread(current)
                last = current


def _activity_of(user: SessionUser, space: Space) -> Activity:
    with session_scope() as session:
        return messaging.activity(session=session, user=user, space=space)
