"""SeaStat settings: config.toml loaded once into a typed, validated object."""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

if TYPE_CHECKING:
    from .periods import Grid
    from .seasonal import Expected

PRECINCTS = ("North", "East", "South", "West", "Southwest")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"


class ConfigError(Exception):
    """A settings file that cannot be used; the message says which setting and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSettings(_Section):
    store: Path
    boundaries: Path


class PeriodSettings(_Section):
    anchor: dt.date
    length_days: int = Field(14, ge=1, le=366)
    rolling_days: int = Field(28, ge=1, le=366)     # the CompStat "last N days against the N before" window
    trend_periods: int = Field(52, ge=4)           # periods in the trend charts (two years)
    recent_periods: int = Field(26, ge=4)          # periods in the compare and shared-screen charts (a year)
    reporting_lag_days: int = Field(28, ge=0)      # a period ending this close to the newest record is still filling


class StatsSettings(_Section):
    z_threshold: float = Field(2.0, gt=0)
    baseline_periods: int = Field(26, ge=1)
    expected: Literal["seasonal", "mean"] = "seasonal"
    overdispersion: bool = True


class HotspotSettings(_Section):
    h3_resolution: int = Field(9, ge=5, le=12)
    significance: float = Field(0.05, gt=0, lt=1)
    emerging_periods: int = Field(6, ge=2)
    min_cell_count: int = Field(3, ge=1)
    basemap: Literal["carto-light", "carto-dark", "none"] = "carto-light"


class NearRepeatSettings(_Section):
    lookback_days: int = Field(365, ge=28)     # the events the Knox test looks at
    max_events: int = Field(10_000, ge=100)    # more of one type in the look-back: a random sample of about this many, the same every time
    recent_days: int = Field(14, ge=1)         # events this recent mark a place at risk now ...
    window_days: int = Field(14, ge=1)         # ... for this many days after the last of them


class MeetingSettings(_Section):
    keep: int = Field(6, ge=1)      # meetings whose pinned store version the publisher keeps


# Keys that can step the shared-screen panels (names as Streamlit's button shortcuts take them).
PanelKey = Literal["Left", "Right", "Up", "Down", "PageUp", "PageDown", "Space", "Enter", "Home", "End"]


class PresentSettings(_Section):
    panels: list[Literal["city", "precincts", "hotspots", "compare", "service", "commitments"]]
    precinct_order: list[str]
    previous_key: PanelKey = "Left"
    next_key: PanelKey = "Right"

    @model_validator(mode="after")
    def _two_keys(self) -> "PresentSettings":
        if self.previous_key == self.next_key:
            raise ValueError(f"previous_key and next_key are both {self.next_key!r}; they must differ")
        return self

    @field_validator("precinct_order")
    @classmethod
    def _known_precincts(cls, value: list[str]) -> list[str]:
        unknown = [p for p in value if p not in PRECINCTS]
        if unknown:
            raise ValueError(f"unknown precinct(s) {unknown}; expected some of {list(PRECINCTS)}")
        return value


class PrivacySettings(_Section):
    address_level: Literal["100-block"] = "100-block"
    sensitive_offense_codes: list[str]
    sensitive_offense_parent_groups: list[str]
    sensitive_offenses: list[str]
    # The older (UCR) crime layout: subcategories, "*" matching any text ("SEX OFFENSE*").
    sensitive_ucr_subcategories: list[str] = []
    sensitive_call_type_words: list[str]


class ActionSettings(_Section):
    # Where commitments are kept: an SQLAlchemy URL ("postgresql://user@host/db"); empty = an SQLite
    # file beside the store. SEASTAT_DATABASE_URL overrides it.
    database_url: str = ""

    @field_validator("database_url")
    @classmethod
    def _a_database_url(cls, value: str) -> str:
        if value:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError
            try:
                backend = make_url(value).get_backend_name()
            except ArgumentError:
                raise ValueError("not a database URL (e.g. postgresql://user@host/dbname)") from None
            if backend not in ("sqlite", "postgresql"):
                raise ValueError(f"{backend} is not supported; use postgresql://... or sqlite:///...")
        return value


# --- 911 calls and use of force ([service]) -------------------------------------------------------

class ServiceSettings(_Section):
    # priority (as published: "1", "2", ...) -> response-time target in minutes; SPD: Priority 1 in 7
    targets: dict[str, float] = Field(default_factory=lambda: {"1": 7.0})
    min_calls: int = Field(10, ge=1)       # fewer arrived calls than this: too few to say
    top_call_types: int = Field(10, ge=1, le=100)
    stored_periods: int = Field(6, ge=0)     # newest periods whose response times publish measures once

    @field_validator("targets")
    @classmethod
    def _positive_targets(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [p for p, minutes in value.items() if not minutes > 0]
        if bad:
            raise ValueError(f"target minutes must be positive (priority {', '.join(bad)})")
        return {str(p).strip(): float(m) for p, m in value.items()}


class AccessSettings(_Section):
    # Sign-in is on when .streamlit/secrets.toml has an [auth] section; these say what each person may see.
    claim: str = Field("roles", min_length=1)       # the ID token claim that carries a person's role(s)
    command: list[str] = ["seastat-command"]         # claim values that mean each role
    analyst: list[str] = ["seastat-analyst"]
    partner: list[str] = ["seastat-partner"]
    session_minutes: int = Field(480, ge=1, le=43_200)   # a sign-in older than this asks to sign in again
    # An identity bigger than this is refused. Streamlit keeps it in cookies, and past about 8 KB of them
    # the browser cannot even open its session (the websockets library refuses a header line over 8,192 bytes).
    max_claims_bytes: int = Field(4_096, ge=1_024)
    contact: str = "your SeaStat administrator"      # whom the sign-in page says to ask for access

    @model_validator(mode="after")
    def _one_role_per_value(self) -> "AccessSettings":
        seen: dict[str, str] = {}
        for role in ("command", "analyst", "partner"):
            for value in getattr(self, role):
                if value in seen:
                    raise ValueError(f"claim value {value!r} is mapped to both {seen[value]} and {role}")
                seen[value] = role
        return self


class Settings(_Section):
    data: DataSettings
    periods: PeriodSettings
    stats: StatsSettings
    hotspots: HotspotSettings
    near_repeat: NearRepeatSettings = NearRepeatSettings()
    meetings: MeetingSettings = MeetingSettings()
    present: PresentSettings
    privacy: PrivacySettings
    actions: ActionSettings = ActionSettings()
    service: ServiceSettings = ServiceSettings()
    access: AccessSettings = AccessSettings()
    offense_types: dict[str, list[str]]
    # The older crime layout's UCR subcategories by offense type ("*" matches any text).
    ucr_offense_types: dict[str, list[str]] = {}
    offense_groups: dict[str, list[str]]
    source: Path = Field(DEFAULT_CONFIG, exclude=True)

    @model_validator(mode="after")
    def _groups_name_known_types(self) -> "Settings":
        for group, types in self.offense_groups.items():
            unknown = [t for t in types if t not in self.offense_types]
            if unknown:
                raise ValueError(f"offense_groups.{group} names unknown offense type(s) {unknown}")
        unknown = [t for t in self.ucr_offense_types if t not in self.offense_types]
        if unknown:
            raise ValueError(f"ucr_offense_types names unknown offense type(s) {unknown}")
        return self

    # --- Values derived from the settings, computed here once ---------------------------------

    @cached_property
    def grid(self) -> "Grid":
        from .periods import Grid
        return Grid(self.periods.anchor, self.periods.length_days)

    @cached_property
    def level(self) -> float:
        """The two-sided significance level of the flags: the level of |z| >= z_threshold (2 -> 4.55 %)."""
        from .compstat import alpha
        return alpha(self.stats.z_threshold)

    @cached_property
    def expected(self) -> "Expected":
        """How a period's expected level and the test's dispersion are estimated (seastat/seasonal.py)."""
        from .seasonal import Expected, periods_per_year
        return Expected(self.stats.expected, self.stats.baseline_periods, periods_per_year(self.periods.length_days),
                        self.stats.overdispersion)

    def resolve(self, path: Path) -> Path:
        """Relative paths in the file are relative to the file's own folder."""
        return path if path.is_absolute() else (self.source.parent / path).resolve()

    @property
    def store_dir(self) -> Path:
        return self.resolve(self.data.store)

    @property
    def boundaries_dir(self) -> Path:
        return self.resolve(self.data.boundaries)

    @property
    def database_url(self) -> str:
        """The commitments database: SEASTAT_DATABASE_URL, else [actions] database_url, else
        actions.sqlite beside the store (data/actions.sqlite)."""
        url = os.environ.get("SEASTAT_DATABASE_URL") or self.actions.database_url
        return url or f"sqlite:///{self.store_dir.parent / 'actions.sqlite'}"

    def offense_type_lookup(self) -> tuple[list[str], list[str], list[str]]:
        """Parallel lists (offense code, offense type, offense group) for publish-time tagging."""
        group_of = {t: g for g, types in self.offense_groups.items() for t in types}
        codes, types, groups = [], [], []
        for offense_type, type_codes in self.offense_types.items():
            for code in type_codes:
                codes.append(code.upper())
                types.append(offense_type)
                groups.append(group_of.get(offense_type, "other"))
        return codes, types, groups

    def ucr_type_lookup(self) -> tuple[list[str], list[str], list[str]]:
        """Parallel lists (SQL LIKE pattern, offense type, offense group) for the older crime layout."""
        group_of = {t: g for g, types in self.offense_groups.items() for t in types}
        rows = [(like(p), t, group_of.get(t, "other")) for t, ps in self.ucr_offense_types.items() for p in ps]
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def like(pattern: str) -> str:
    """A settings pattern ("ROBBERY-*") as an upper-case SQL LIKE pattern ("ROBBERY-%")."""
    return pattern.upper().replace("*", "%")


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate a settings file; any problem is a ConfigError naming the setting."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"settings file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        return Settings(**raw, source=path.resolve())
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
