"""API keys: create (shown once), authenticate, list, revoke, last-used time."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from threading import Lock

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from keito_server.db.models import Account, ApiKey, User
from keito_server.domain.errors import AuthenticationError, NotFound, ValidationError
from keito_server.domain.ids import new_id
from keito_server.services.context import Actor
from keito_server.services.security import API_KEY_PREFIX, generate_api_key, hash_token

# last_used_at is written at most this often per key, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_key(session: Session, actor: Actor, *, user_id: str, name: str) -> tuple[ApiKey, str]:
    """A new key for ``user_id``. Members make their own; administrators make anyone's (agents too)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the key a name, such as 'CI pipeline'.", field="name")
    user = session.get(User, user_id)
    if user is None or user.account_id != actor.account_id:
        raise NotFound("User", field="user_id")
    if user.id != actor.user_id:
        actor.require_admin("create API keys for other users")
    key, token = issue_key(session, user, name=name, created_by_id=actor.user_id)
    session.commit()
    return key, token


def issue_key(session: Session, user: User, *, name: str, created_by_id: str | None) -> tuple[ApiKey, str]:
    """Insert a key without permission checks (admin command, sign-up). The caller commits."""
    token = generate_api_key()
    key = ApiKey(
        id=new_id("api_key"),
        account_id=user.account_id,
        user_id=user.id,
        name=name,
        key_hash=hash_token(token),
        prefix=token[: len(API_KEY_PREFIX) + 6],
        created_by_id=created_by_id,
    )
    session.add(key)
    session.flush()
    return key, token


def list_keys(session: Session, actor: Actor, *, user_id: str | None = None) -> list[ApiKey]:
    q = select(ApiKey).where(ApiKey.account_id == actor.account_id).order_by(ApiKey.created_at.desc())
    if not actor.is_admin:
        q = q.where(ApiKey.user_id == actor.user_id)
    elif user_id:
        q = q.where(ApiKey.user_id == user_id)
    return list(session.scalars(q))


def revoke_key(session: Session, actor: Actor, key_id: str) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.account_id != actor.account_id:
        raise NotFound("API key")
    if key.user_id != actor.user_id:
        actor.require_admin("revoke other users' API keys")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.commit()  # which empties the auth cache (_forget_on_commit)
    return key


@dataclass(frozen=True)
class _Cached:
    key_id: str
    user_id: str
    account_id: str
    last_used_at: datetime | None
    expires: float
    # The key's person and workspace as loaded, detached from any session (nothing writes to an
    # Actor's objects; services load their own copy to change one). None until first loaded.
    actor: Actor | None = None


class _AuthCache:
    """Per-process memo of key hash -> key, person and workspace, for ``ttl`` seconds. A commit
    in this process that changes a key, a person or a workspace empties it at once (see
    ``_forget_on_commit``); other processes see such changes within ``ttl``."""

    def __init__(self) -> None:
        self._data: dict[str, _Cached] = {}
        self._lock = Lock()

    def get(self, key_hash: str) -> _Cached | None:
        hit = self._data.get(key_hash)
        if hit is None or hit.expires < time.monotonic():
            return None
        return hit

    def put(self, key_hash: str, value: _Cached) -> None:
        with self._lock:
            if len(self._data) > 10_000:
                self._data.clear()
            self._data[key_hash] = value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_cache = _AuthCache()
_WATCHED = (ApiKey, User, Account)


@event.listens_for(Session, "before_flush")
def _note_watched_changes(session: Session, _flush: object, _instances: object) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WATCHED):
            session.info["auth_cache_stale"] = True
            return


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    if session.info.pop("auth_cache_stale", False):
        _cache.clear()


def cached_actor(token: str, *, account_id: str | None) -> Actor | None:
    """The actor for a token from this process's cache, without touching the database; None
    when it is not cached (or its last-used time is due), so ``authenticate`` must run."""
    if not token.startswith(API_KEY_PREFIX):
        return None
    hit = _cache.get(hash_token(token))
    if hit is None or hit.actor is None or _last_used_due(hit.last_used_at, datetime.now(UTC)):
        return None
    _check_account(hit, account_id)
    return hit.actor


def _last_used_due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION


def _check_account(cached: _Cached, account_id: str | None) -> None:
    if account_id is not None and account_id != cached.account_id:
        raise AuthenticationError("This API key does not belong to the account in Keito-Account-Id.")


def authenticate(session: Session, token: str, *, account_id: str | None, cache_seconds: float = 0.0) -> Actor:
    """The actor for a bearer token. ``account_id`` (the Keito-Account-Id header), when given,
    must be the key's workspace."""
    if not token.startswith(API_KEY_PREFIX):
        raise AuthenticationError("Invalid API key: Keito keys start with kto_.")
    key_hash = hash_token(token)
    now = datetime.now(UTC)
    cached = _cache.get(key_hash) if cache_seconds > 0 else None
    if cached is None:
        row = session.execute(
            select(ApiKey.id, ApiKey.user_id, ApiKey.account_id, ApiKey.last_used_at).where(
                ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)
            )
        ).first()
        if row is None:
            raise AuthenticationError("Invalid API key: it does not exist or was revoked.")
        cached = _Cached(row[0], row[1], row[2], row[3], time.monotonic() + cache_seconds)
    _check_account(cached, account_id)
    actor = cached.actor
    if actor is None:
        pair = session.execute(
            select(User, Account).join(Account, Account.id == User.account_id).where(User.id == cached.user_id)
        ).first()
        if pair is None or not pair[0].is_active:
            raise AuthenticationError("Invalid API key: its user is archived.")
        actor = Actor(account=pair[1], user=pair[0], api_key_id=cached.key_id)
        if cache_seconds > 0:
            # Shared by the requests of the next few seconds, in other threads: out of this session.
            session.expunge(pair[0])
            session.expunge(pair[1])
    last_used_at = cached.last_used_at
    if _last_used_due(last_used_at, now):
        # End the read first: on SQLite a write that starts a transaction waits for the lock,
        # one that follows a read in the same transaction may fail instead.
        session.commit()
        session.execute(update(ApiKey).where(ApiKey.id == cached.key_id).values(last_used_at=now))
        session.commit()
        last_used_at = now
    if cache_seconds > 0:
        _cache.put(
            key_hash, _Cached(cached.key_id, cached.user_id, cached.account_id, last_used_at, cached.expires, actor)
        )
    # On SQLite, end the lookup's transaction: a POST's session holds the write lock from its
    # first statement, and the handler that follows should take it only for its own work. On
    # PostgreSQL the handler carries on in the same transaction (saves COMMIT and BEGIN).
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
    return actor
