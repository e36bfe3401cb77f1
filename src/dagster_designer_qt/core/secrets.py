"""The one rule for which field names hold credentials (used by the form's secret editor and by
validation's literal-secret warning, so they always agree).

A name is split into words (``snake_case``, ``kebab-case``, ``camelCase``); it is a secret when one of
its words (or word pairs) is a credential word and it does not *end* in a word that names something
about the secret rather than the secret itself (``token_url``, ``password_file``, ``api_key_env_var``).
"""

from __future__ import annotations

import re

SECRET_WORDS = frozenset({"password", "passwd", "pwd", "secret", "token", "apikey", "passphrase",
                          "credential", "credentials", "privatekey", "accesskey", "secretkey", "sessionkey",
                          "signingkey", "clientsecret", "authtoken", "bearer"})
# pairs of words that together are a credential ("api_key", "private_key", "access_key"...)
_KEY_PAIRS = frozenset({"api", "private", "access", "secret", "session", "signing", "encryption", "master",
                        "account"})
# a last word that makes the field about the secret, not the secret itself
NOT_SECRET_LAST = frozenset({"path", "file", "filename", "dir", "url", "uri", "endpoint", "env", "var",
                             "name", "id", "type", "expiry", "expires", "expiration", "ttl", "length",
                             "prompt", "header", "scope", "scopes", "field", "location", "command", "cmd"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words(name: str) -> list[str]:
    return [w for w in re.split(r"[_\-\s.]+", _CAMEL.sub("_", name).lower()) if w]


def is_secret_name(name: object) -> bool:
    """Whether a field called ``name`` holds a credential (password, api_key, token, passphrase...)."""
    if not isinstance(name, str) or not name:
        return False
    parts = words(name)
    if not parts or parts[-1] in NOT_SECRET_LAST:
        return False
    if any(p in SECRET_WORDS for p in parts):
        return True
    return any(a in _KEY_PAIRS and b == "key" for a, b in zip(parts, parts[1:]))
