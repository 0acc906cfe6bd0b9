"""Slack tokens at rest: slack_sdk's own SQLAlchemy installation store, wrapped so that every token it writes is
encrypted with the bot's keys (MultiFernet, as everything else) and read back decrypted. Only the token columns
change; the tables, their queries and their migrations stay slack_sdk's.

Also here: the workspaces the app may be installed into (SLACK_ALLOWED_TEAMS), and re-encrypting the stored
tokens under the newest key (`boundary-bot rotate-keys`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from typing import cast

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.manifest import INSTALL_PATH, REDIRECT_PATH, bot_scopes
from bot.privacy.crypto import Cipher
from bot.privacy.sealed import rotate_columns, seal, unseal, with_fields

log = logging.getLogger(__name__)

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class TeamNotAllowed(PermissionError):
    """An install into a workspace that SLACK_ALLOWED_TEAMS does not list."""


class EncryptedInstallationStore(AsyncInstallationStore):
    """slack_sdk's AsyncSQLAlchemyInstallationStore with its tokens encrypted; refuses installs into workspaces
    that are not allowed (and revokes the token Slack just issued for one)."""

    def __init__(self, inner: AsyncSQLAlchemyInstallationStore, cipher: Cipher, *,
                 allowed_teams: Collection[str] = (), api_url: str | None = None) -> None:
        self.inner = inner
        self._cipher = cipher
        self._allowed = frozenset(allowed_teams)
        self._api_url = api_url

    @property
    def logger(self) -> logging.Logger:
        return log

    def allows(self, team_id: str | None, enterprise_id: str | None = None) -> bool:
        return not self._allowed or bool({team_id, enterprise_id} & self._allowed)

    async def async_save(self, installation: Installation) -> None:
        if not self.allows(installation.team_id, installation.enterprise_id):
            log.warning("slack: an install into a workspace not in SLACK_ALLOWED_TEAMS was refused")
            if installation.bot_token:
                try:
                    await AsyncWebClient(token=installation.bot_token, base_url=self._api_url or
                                         AsyncWebClient.BASE_URL).auth_revoke()
                except Exception as exc:
                    log.warning("slack: could not revoke the refused install's token: %s", type(exc).__name__)
            raise TeamNotAllowed("this workspace may not install the app")
        await self.inner.async_save(with_fields(installation, TOKEN_FIELDS, self._cipher, seal))

    async def async_save_bot(self, bot: Bot) -> None:
        await self.inner.async_save_bot(with_fields(bot, TOKEN_FIELDS, self._cipher, seal))

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        if not self.allows(team_id, enterprise_id):
            return None  # a workspace taken off SLACK_ALLOWED_TEAMS: its requests are no longer authorized
        found = await self.inner.async_find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                                is_enterprise_install=is_enterprise_install)
        return with_fields(found, TOKEN_FIELDS, self._cipher, unseal) if found is not None else None

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        if not self.allows(team_id, enterprise_id):
            return None
        found = await self.inner.async_find_installation(enterprise_id=enterprise_id, team_id=team_id,
                                                         user_id=user_id, is_enterprise_install=is_enterprise_install)
        return with_fields(found, TOKEN_FIELDS, self._cipher, unseal) if found is not None else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.inner.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        await self.inner.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.inner.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        await self.inner.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)


async def rotate_tokens(engine: AsyncEngine, cipher: Cipher) -> int:
    """Every stored Slack token under the newest key (one stored in clear by an older version is encrypted).
    Returns how many values changed; 0 when the Slack tables do not exist."""
    store = AsyncSQLAlchemyInstallationStore(client_id="", engine=engine)
    return await rotate_columns(engine, (store.installations, store.bots), TOKEN_FIELDS, cipher)


async def database_oauth_settings(engine: AsyncEngine, client_id: str, client_secret: str, *, cipher: Cipher,
                                  redirect_uri: str = "", allowed_teams: Collection[str] = (),
                                  api_url: str | None = None) -> AsyncOAuthSettings:
    """The OAuth install flow with slack_sdk's own SQLAlchemy installation and state stores, on the bot's own
    database (their tables are created here if missing): each workspace that installs gets its own token, stored
    encrypted; with `allowed_teams`, only those workspaces can install."""
    plain = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine, logger=log)
    for store in (plain, states):
        await cast(Callable[[], Awaitable[None]], store.create_tables)()
    installations = EncryptedInstallationStore(plain, cipher, allowed_teams=allowed_teams, api_url=api_url)
    return AsyncOAuthSettings(client_id=client_id, client_secret=client_secret, scopes=bot_scopes(), user_scopes=[],
                              redirect_uri=redirect_uri or None, install_path=INSTALL_PATH,
                              redirect_uri_path=REDIRECT_PATH, installation_store=installations,
                              installation_store_bot_only=True, state_store=states)
