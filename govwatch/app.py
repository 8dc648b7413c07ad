"""Opening govwatch's state for a command: the store, migrated, with config accounts (and
reposting tasks) merged in;
and the two checks a crawl makes of the accounts asked for, as command-line errors."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Config, ConfigError
from storage.db import Store, open_store
from storage.registry import has_accounts, merge_config_accounts, unknown_account_ids
from storage.tasks import merge_config_tasks


class UnknownAccounts(LookupError):
    """Account ids that are not registered, each with its closest matches."""

    def __init__(self, unknown: dict[str, list[str]]) -> None:
        self.unknown = unknown
        parts = []
        for account_id, close in unknown.items():
            hint = f"（相近的有 / did you mean: {', '.join(close)}）" if close else ""
            parts.append(f"{account_id}{hint}")
        super().__init__("unknown account id(s) / 未登记的帐号: " + "; ".join(parts))


def open_app(config: Config) -> Store:
    """Open (and migrate) the store and merge config.yaml's accounts into it by id."""
    store = open_store(config.database_url())
    if config.accounts:
        with store.session() as session:
            merge_config_accounts(session, config.accounts)
    if config.repost_tasks:
        with store.session() as session:
            merge_config_tasks(session, config.repost_tasks, config.tz)
    return store


def check_has_accounts(store: Store, config: Config) -> None:
    """A crawl with no account at all (none in config.yaml, none imported) has nothing to do:
    that is a configuration mistake, not a quiet night."""
    with store.session() as session:
        if not has_accounts(session):
            raise ConfigError(
                config.source or "<config>",
                "accounts",
                "no accounts to monitor: list them under accounts: or import the office's list "
                "with `govwatch accounts import FILE` (没有可监测的帐号)",
            )


def check_account_ids(store: Store, account_ids: Sequence[str]) -> None:
    """Raise UnknownAccounts when an id asked for is not registered."""
    if not account_ids:
        return
    with store.session() as session:
        unknown = unknown_account_ids(session, account_ids)
    if unknown:
        raise UnknownAccounts(unknown)
