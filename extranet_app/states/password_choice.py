"""What the activation and new-password pages share: reading the link, explaining a refusal."""

from __future__ import annotations

import asyncio

from extranet_app.api.password_routes import CONFIRMATION_MISMATCH, ERROR_PARAMETER
from extranet_app.db import session_scope
from extranet_app.services import access_codes
from extranet_app.services.access_codes import AccessCodeError, CodeHolder, CodeProblem, CodePurpose
from extranet_app.services.passwords import REJECTION_MESSAGES
from extranet_app.states.session import SessionState, agency_name_now

_MISMATCH = "Les deux mots de passe saisis ne sont pas identiques."
_UNEXPECTED = "Le mot de passe n'a pas pu être enregistré. Réessayez."


def refusal_message(reason: str, purpose: CodePurpose) -> str:
    """The French explanation of a refusal code that came back in the page's address."""
    if reason == CONFIRMATION_MISMATCH:
        return _MISMATCH
    if reason in REJECTION_MESSAGES:
        return REJECTION_MESSAGES[reason]
    if reason in CodeProblem.__members__.values():
        return AccessCodeError(CodeProblem(reason), purpose).message
    return _UNEXPECTED


def _check_link(token: str, purpose: CodePurpose, ip: str) -> CodeHolder | AccessCodeError:
    check = (
        access_codes.check_access_code
        if purpose is CodePurpose.ACTIVATION
        else access_codes.check_password_reset_token
    )
    with session_scope() as session:
        try:
            return check(session=session, token=token, ip=ip)
        except AccessCodeError as refused:
            return refused


class PasswordChoiceState(SessionState):
    """A page where a person sets a password from an e-mailed link (or a typed code)."""

    token: str = ""  # the link's own secret, already in the browser's address bar
    holder_name: str = ""
    holder_email: str = ""
    link_is_valid: bool = False
    error: str = ""

    async def _read_link(self, purpose: CodePurpose) -> None:
        """Check the link of the address and show who it is for, or why it cannot be used."""
        self.agency_name = await asyncio.to_thread(agency_name_now)
        query = self.router.url.query_parameters
        self.token = str(query.get(access_codes.TOKEN_PARAMETER, ""))[:100]
        reason = str(query.get(ERROR_PARAMETER, ""))
        self.error = refusal_message(reason, purpose) if reason else ""
        self.link_is_valid, self.holder_name, self.holder_email = False, "", ""
        if not self.token:
            return
        checked = await asyncio.to_thread(
            _check_link, self.token, purpose, self.router.session.client_ip
        )
        if isinstance(checked, AccessCodeError):
            self.error = checked.message
            return
        self.link_is_valid = True
        self.holder_name, self.holder_email = checked.display_name, checked.email
