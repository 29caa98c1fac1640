"""Settings: the shipped config.toml is valid; a broken one is a clear ConfigError."""
import pytest

from seastat.config import ConfigError, load_settings


def test_shipped_settings_load(settings):
    assert settings.periods.length_days == 14
    assert settings.store_dir.is_absolute()
    codes, types, groups = settings.offense_type_lookup()
    assert dict(zip(codes, groups))["120"] == "violent"
    assert dict(zip(codes, types))["23C"] == "larceny_theft"


@pytest.mark.parametrize("text,message", [
    ("not toml [", "not valid TOML"),
    ("", "data: Field required"),
])
def test_broken_settings_name_the_problem(tmp_path, text, message):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_a_wrong_value_names_the_setting(tmp_path):
    from seastat.config import DEFAULT_CONFIG
    text = DEFAULT_CONFIG.read_text().replace('anchor = "2024-01-01"', 'anchor = "someday"')
    text = text.replace('z_threshold = 2.0', 'z_threshold = -1')
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert "periods.anchor" in str(err.value) and "stats.z_threshold" in str(err.value)


def test_missing_settings_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize("keys,message", [
    (('"PageUp"', '"PageUp"'), "previous_key and next_key are both 'PageUp'"),
    (('"Left"', '"Clicker"'), "present.next_key"),
])
def test_shared_screen_keys_are_checked(tmp_path, keys, message):
    """A typo in the clicker keys is named when the settings load, not a traceback in the meeting."""
    from seastat.config import DEFAULT_CONFIG
    text = DEFAULT_CONFIG.read_text().replace('previous_key = "Left"', f"previous_key = {keys[0]}")
    path = tmp_path / "config.toml"
    path.write_text(text.replace('next_key = "Right"', f"next_key = {keys[1]}"))
    with pytest.raises(ConfigError, match=message):
        load_settings(path)
