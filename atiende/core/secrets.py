"""Credentials kept in the database (IMAP passwords, OAuth2 client secrets and refresh
tokens, Microsoft 365 client secrets, Microsoft Teams webhook URLs) are stored
encrypted with Fernet (AES-128-CBC + HMAC-SHA256), never as plain text.

The keys come from the SECRETS_KEY setting: a comma-separated list, the first one
encrypts and every one decrypts (rotation: put the new key first, keep the old ones
until every row has been saved again). Each entry is any string; a Fernet key is
derived from it with HKDF-SHA256. Without SECRETS_KEY the key is derived from
SECRET_KEY, so a single host needs no configuration (changing SECRET_KEY then means
listing the old one in SECRETS_KEY).

A value that cannot be decrypted (the keys changed) is read as an `UnreadableSecret`:
truthy, saved back unchanged, and refused by `reveal()` with a clear message, so
the pages that hold it still open and tell the administrator to type it again.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

_HKDF_INFO = b"atiende stored secrets"
_TOKEN_START = "gAAAAA"  # every Fernet token (version byte 0x80) starts so


class SecretUnreadable(Exception):
    """A stored secret the configured SECRETS_KEY cannot decrypt."""

    def __init__(self) -> None:
        super().__init__(_("A stored secret cannot be decrypted with the configured "
                           "SECRETS_KEY (the keys changed?). Type it again, or add the "
                           "previous key to SECRETS_KEY."))


class UnreadableSecret(str):
    """The ciphertext of a secret no configured key opens (kept as is when saved)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UnreadableSecret(…)"


def _derived(passphrase: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=_HKDF_INFO).derive(passphrase.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@functools.lru_cache(maxsize=4)
def _cipher(passphrases: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derived(phrase) for phrase in passphrases])


def _passphrases() -> tuple[str, ...]:
    configured = getattr(settings, "SECRETS_KEY", None) or []
    if isinstance(configured, str):
        configured = configured.split(",")
    chosen = tuple(phrase.strip() for phrase in configured if phrase and phrase.strip())
    return chosen or (settings.SECRET_KEY,)


def encrypt(value: str) -> str:
    """The token stored for `value` (with the first key)."""
    return _cipher(_passphrases()).encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The value of a stored token; SecretUnreadable when no key opens it."""
    try:
        return _cipher(_passphrases()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable() from None


def rotate(token: str) -> str:
    """The token re-encrypted with the first key (SecretUnreadable as `decrypt`)."""
    try:
        return _cipher(_passphrases()).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable() from None


def is_unreadable(value: object) -> bool:
    return isinstance(value, UnreadableSecret)


def unreadable_warning(*values: object) -> str:
    """What a page holding these credentials tells its admin when no key opens one."""
    return str(SecretUnreadable()) if any(map(is_unreadable, values)) else ""


def reveal(value: str) -> str:
    """`value` for use (signing in, posting): SecretUnreadable for one no key opens."""
    if isinstance(value, UnreadableSecret):
        raise SecretUnreadable()
    return value


class EncryptedTextField(models.TextField):
    """Text kept encrypted in its column: Python code sees the plain value, the database
    only the Fernet token. Blank stays blank (so "is a secret stored?" is a plain test).
    Not searchable or orderable by value, by design."""

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except SecretUnreadable:
            return UnreadableSecret(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or isinstance(value, UnreadableSecret):
            return value  # an unreadable token is kept as it was
        return encrypt(value)

    def value_to_string(self, obj) -> str:
        return ""  # never serialized (dumpdata, fixtures) in clear


# --- migrations: columns that held plain text ----------------------------------------


def _rewrite_column(connection, table: str, column: str, change) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)} "  # noqa: S608
                       f"WHERE {quote(column)} <> ''")
        rows = cursor.fetchall()
        for pk, value in rows:
            cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                           "WHERE id = %s", [change(value), pk])


def encrypting(*columns: tuple[str, str]):
    """The two functions of a RunPython that encrypts the existing plain values of
    `columns` ((table, column) pairs), and, backwards, decrypts them again (refused,
    with the reason, when the configured keys do not open them)."""

    def forwards(apps, schema_editor) -> None:
        for table, column in columns:
            _rewrite_column(schema_editor.connection, table, column,
                            lambda value: value if value.startswith(_TOKEN_START)
                            and _opens(value) else encrypt(value))

    def backwards(apps, schema_editor) -> None:
        for table, column in columns:
            _rewrite_column(schema_editor.connection, table, column, decrypt)

    return forwards, backwards


def _opens(token: str) -> bool:
    try:
        decrypt(token)
    except SecretUnreadable:
        return False
    return True
