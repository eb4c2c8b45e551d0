import pytest

from config import ConfigError, load_config, parse_signing_keys

GOOD_PROD = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://app@db/fingertip",
    "REDIS_URL": "redis://cache:6379/0",
    "SECRET_KEY": "s" * 40,
    "DATA_ENCRYPTION_KEY": "d" * 40,
    "JWT_SIGNING_KEYS": "k2026:" + "j" * 40,
    "JWT_ACTIVE_KID": "k2026",
}


def test_production_with_everything_starts():
    cfg = load_config(env=GOOD_PROD)
    assert cfg.ENV_NAME == "production"
    assert cfg.JWT_SIGNING_KEYS == {"k2026": "j" * 40}


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DATA_ENCRYPTION_KEY",
                                     "JWT_SIGNING_KEYS", "JWT_ACTIVE_KID"])
def test_production_refuses_to_start_without_a_required_setting(missing):
    env = dict(GOOD_PROD)
    del env[missing]
    with pytest.raises(ConfigError) as info:
        load_config(env=env)
    assert missing in str(info.value)


def test_production_refuses_other_databases_and_short_secrets():
    with pytest.raises(ConfigError):
        load_config(env={**GOOD_PROD, "DATABASE_URL": "mysql://u@h/x"})
    with pytest.raises(ConfigError):
        load_config(env={**GOOD_PROD, "SECRET_KEY": "short"})


def test_active_kid_must_name_a_known_key():
    with pytest.raises(ConfigError):
        load_config(env={**GOOD_PROD, "JWT_ACTIVE_KID": "other"})


def test_signing_keys_parse_both_forms_and_refuse_weak_keys():
    assert parse_signing_keys('{"a": "' + "x" * 32 + '"}') == {"a": "x" * 32}
    assert parse_signing_keys("a:" + "x" * 32 + ",b:" + "y" * 32) == {"a": "x" * 32, "b": "y" * 32}
    with pytest.raises(ConfigError):
        parse_signing_keys("a:tooshort")
    with pytest.raises(ConfigError):
        parse_signing_keys("no-separator")


SERVERS = {"DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/t_test", "REDIS_URL": "redis://127.0.0.1:1/0"}


def test_testing_secrets_are_random_per_run():
    first, second = load_config("testing", env=SERVERS), load_config("testing", env=SERVERS)
    assert first.SECRET_KEY != second.SECRET_KEY
    assert first.JWT_ACTIVE_KID in first.JWT_SIGNING_KEYS


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError):
        load_config(env={"APP_ENV": "staging"})


def test_bad_integer_setting_is_refused():
    with pytest.raises(ConfigError):
        load_config("testing", env={**SERVERS, "ACCESS_TOKEN_TTL_SECONDS": "fifteen"})


def test_testing_names_the_servers_it_lacks():
    with pytest.raises(ConfigError, match="missing: DATABASE_URL, REDIS_URL"):
        load_config("testing", env={})
