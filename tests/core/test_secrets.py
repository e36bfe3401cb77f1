"""The one secret-name rule (core.secrets), shared by the form (core.schema) and validation."""

import pytest

from dagster_designer_qt.core import schema
from dagster_designer_qt.core.secrets import is_secret_name
from dagster_designer_qt.core.model import Node
from dagster_designer_qt.services import validation

TABLE = [
    ("password", True), ("db_password", True), ("passwd", True), ("pwd", True), ("passphrase", True),
    ("ssh_passphrase", True), ("secret", True), ("api_secret", True), ("client_secret", True),
    ("token", True), ("access_token", True), ("accessToken", True), ("api_key", True), ("apikey", True),
    ("apiKey", True), ("API_KEY", True), ("private_key", True), ("access_key", True),
    ("aws-secret-access-key", True), ("credentials", True), ("credential", True),
    ("token_url", False), ("password_file", False), ("private_key_path", False), ("api_key_env_var", False),
    ("token_expiry", False), ("secret_name", False), ("account_id", False), ("name", False),
    ("key", False), ("asset_key", False), ("keyfile", False), ("tokenizer", False), ("description", False),
    ("", False), ("secret_path", False), ("auth_header", False),
]


@pytest.mark.parametrize("name,secret", TABLE)
def test_secret_name_table(name, secret):
    assert is_secret_name(name) is secret


@pytest.mark.parametrize("name,secret", TABLE)
def test_form_and_validation_agree(name, secret):
    assert schema.is_secret_name(name) is secret  # the form's secret editor
    node = Node("n", "x.Unknown", "N", 0, 0, attributes={name: "literal-value"} if name else {})
    warned = any(p.code == "literal-secret" for p in validation.validate_node(node, None))
    assert warned is (secret and bool(name))
