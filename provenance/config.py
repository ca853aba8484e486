"""Configuration: `[tool.provenance]` in pyproject.toml, or a provenance.toml.

The file is looked for from the checked path upward: in each folder a
`provenance.toml` first, then a `pyproject.toml` that has a `[tool.provenance]`
table. The search stops at a folder holding `.git` (the repository root, which
is still searched) or at the filesystem root. `--config FILE` names the file
instead (a file called pyproject.toml is read from `[tool.provenance]`, any
other from its top level).

    [tool.provenance]
    select = ["missing-credit", "PV002"]     # rules to run (names or codes); default: all
    ignore = ["unused-image"]                # rules not to run
    fail-on = "warning"                      # error, warning, note or never
    reuse-scope = "run"                      # reused-photo across the articles checked together; default "article"
    archive = ".provenance/archive.sqlite"   # photo archive file, relative to the configuration file's folder
    max-age = 365                            # days
    cache = ".provenance/cache.sqlite"       # image record cache, relative to the configuration file's folder
    file-timeout = 30                        # seconds one image's reading may take; 0: no limit
    file-memory = 1024                       # megabytes one image's reading may take; 0: no limit
    exclude = ["drafts/"]                    # .gitignore-style globs not walked (replaces the defaults)
    extend-exclude = ["*.draft.md"]          # more globs not walked, on top of `exclude`
    respect-gitignore = true                 # skip what .gitignore ignores in a git work tree
    territory = "GB"                         # where the articles are published (ISO 3166 code or name)
    outlet = "The Daily Example"             # the publication's name, as agencies' "OUT:" lines name it
    fetch = true                             # fetch the remote images of local articles
    allow-hosts = ["cms-preview.internal"]   # hosts fetched even on a private address
    fetch-max-mb = 50                        # largest remote response, in megabytes

    [tool.provenance.severity]
    missing-caption = "error"

    [tool.provenance.agencies]
    "Agence Exemple" = ["AGEX", "Exemple"]

    [tool.provenance.per-file-ignores]       # rules not to run on the articles (or images) a glob matches
    "archive/**" = ["stale-photo"]

Every problem (TOML syntax, an unknown key, a wrong type, an unknown rule, a bad
severity) is a `ConfigError` whose message is one line naming the file and key.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from provenance import user_files
from provenance.model import Severity
from provenance.rights import territory_code
from provenance.rules import find_rule, rules_by_prefix
from provenance.rules.reused_photo import SCOPES, ReuseScope

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAMES = ("provenance.toml", "pyproject.toml")
DEFAULT_ARCHIVE = Path(".provenance") / "archive.sqlite"
"""The photo archive when neither `--archive` nor the configuration names one (relative to the current
folder). Here rather than in `provenance.archive`, which imports numpy."""
DEFAULT_FILE_TIMEOUT: float | None = 30.0
"""Seconds one image's reading may take when neither `--file-timeout` nor the configuration says."""
DEFAULT_FILE_MEMORY: int | None = 1024
"""Megabytes one image's reading may take when neither `--file-memory` nor the configuration says."""
"""The files looked for in each folder, in order."""
MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""A configuration file larger than this is not read."""


class ConfigError(Exception):
    """A configuration that cannot be used; the message is one line: file, key, problem."""


@dataclass(frozen=True)
class Config:
    """What a configuration file says; None (or empty) where it says nothing."""

    path: Path | None = None
    """The file it was read from; None when no file was found."""
    select: frozenset[str] | None = None
    """Rule names to run; None: all."""
    ignore: frozenset[str] = frozenset()
    """Rule names not to run."""
    severity: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    """Rule name -> severity overriding the rule's default."""
    agencies: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Extra agency aliases: canonical name -> aliases."""
    fail_on: str | None = None
    """"error", "warning", "note" or "never"; None: not set."""
    reuse_scope: ReuseScope | None = None
    """Which figures reused-photo compares: one article's ("article") or every article's of the run ("run")."""
    archive: Path | None = None
    """Photo archive file (see `provenance.archive`), resolved against the configuration file's folder."""
    max_age: int | None = None
    """Oldest a photo may be, in days."""
    cache: Path | None = None
    """SQLite file of the image record cache, resolved against the configuration file's folder."""
    file_timeout: float | None = None
    """Seconds one image's reading may take (0: no limit); None: not set."""
    file_memory: int | None = None
    """Megabytes one image's reading may take (0: no limit); None: not set."""
    exclude: tuple[str, ...] | None = None
    """Globs of the paths not walked, replacing the defaults; None: not set."""
    extend_exclude: tuple[str, ...] = ()
    """More globs of the paths not walked."""
    respect_gitignore: bool | None = None
    """Whether `.gitignore` files are honoured; None: not set."""
    per_file_ignores: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    """Glob (relative to the configuration file's folder) -> rule names not reported for the files it matches."""
    territory: str | None = None
    """ISO 3166-1 alpha-2 code of the territory the articles are published in; None: not set."""
    outlet: str | None = None
    """The publication's name, checked against agencies' outlet restrictions; None: not set."""
    fetch: bool | None = None
    """Fetch the remote images of local articles; None: not set."""
    allow_hosts: frozenset[str] = frozenset()
    """Hosts fetched even when they resolve to a loopback, private or link-local address (lower case)."""
    fetch_max_mb: int | None = None
    """Largest remote response, in megabytes; None: not set."""


def find_config(start: Path) -> Path | None:
    """The configuration file that governs `start` (a file or folder), or None."""
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for here in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = here / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
        if (here / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    """True when a pyproject.toml has a [tool.provenance] table (a broken one counts, to report its error)."""
    try:
        text = user_files.read_regular(path, MAX_CONFIG_BYTES).decode("utf-8", errors="replace")
        data = tomllib.loads(text)
    except (OSError, RecursionError):
        return False
    except tomllib.TOMLDecodeError:
        return "[tool.provenance" in text
    tool = data.get("tool")
    return isinstance(tool, dict) and "provenance" in tool


def load_config(path: Path, display: str | None = None) -> Config:
    """Read and check one configuration file; `display` is how messages name it."""
    name = display or str(path)
    try:
        text = user_files.read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: TOML syntax error: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ConfigError(f"{name}: nested too deep to read") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("provenance", {}) if isinstance(data.get("tool"), dict) else {}
        prefix = "tool.provenance."
    else:
        table, prefix = data, ""
    if not isinstance(table, dict):
        raise ConfigError(f"{name}: {prefix.rstrip('.')}: expected a table")
    return dataclasses.replace(_parse(table, _Where(name, prefix), path.parent), path=path)


@dataclass(frozen=True)
class _Where:
    file: str
    prefix: str

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.file}: {self.prefix}{key}: {problem}")


_log = logging.getLogger(__name__)

_KEYS = ("select", "ignore", "fail-on", "severity", "agencies", "reuse-threshold", "archive", "max-age", "cache",
         "file-timeout", "file-memory", "reuse-scope", "exclude", "extend-exclude", "respect-gitignore",
         "per-file-ignores", "fetch", "allow-hosts", "fetch-max-mb")

_PUBLISHER_KEYS = ("territory", "outlet")
"""Who publishes where (`rights.Publisher`)."""


def _parse(table: dict[str, Any], where: _Where, folder: Path) -> Config:
    for key in table:
        if key not in _KEYS + _PUBLISHER_KEYS:
            raise where.error(key, f"unknown key (expected one of: {', '.join(_KEYS + _PUBLISHER_KEYS)})")
    select = _rules(table, "select", where) if "select" in table else None
    ignore = _rules(table, "ignore", where) if "ignore" in table else frozenset()
    fail_on = None
    if "fail-on" in table:
        value = table["fail-on"]
        if not isinstance(value, str) or value.strip().lower() not in ("error", "warning", "note", "never"):
            raise where.error("fail-on", f"expected error, warning, note or never, not {value!r}")
        fail_on = value.strip().lower()
    severity: dict[str, Severity] = {}
    for rule_key, value in _table(table, "severity", where).items():
        rule = find_rule(rule_key)
        if rule is None:
            raise where.error(f"severity.{rule_key}", "unknown rule (`provenance rules` lists them)")
        if not isinstance(value, str):
            raise where.error(f"severity.{rule_key}", f"expected a string, not {_type(value)}")
        try:
            severity[rule.name] = Severity.parse(value)
        except ValueError as exc:
            raise where.error(f"severity.{rule_key}", str(exc)) from None
    agencies: dict[str, tuple[str, ...]] = {}
    for agency, aliases in _table(table, "agencies", where).items():
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise where.error(f'agencies."{agency}"', "expected a list of non-empty strings")
        agencies[agency] = tuple(a.strip() for a in aliases)
    if "reuse-threshold" in table:  # read by versions before the similarity engine; nothing reads it now
        _log.warning("%s: %sreuse-threshold is no longer used (reused-photo decides with its similarity engine, "
                     "see the README's reused-photo section); remove it", where.file, where.prefix)
    reuse_scope: ReuseScope | None = None
    if "reuse-scope" in table:
        value = table["reuse-scope"]
        if value == "article" or value == "run":
            reuse_scope = value
        else:
            raise where.error("reuse-scope", f"expected {' or '.join(SCOPES)}, not {value!r}")
    max_age = _int(table, "max-age", where, 1, None)
    file_memory = _int(table, "file-memory", where, 0, None)
    file_timeout = None
    if "file-timeout" in table:
        value = table["file-timeout"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
            raise where.error("file-timeout", f"expected a number of seconds, 0 or more, not {value!r}")
        file_timeout = float(value)
    archive = None
    if "archive" in table:
        value = table["archive"]
        if not isinstance(value, str) or not value.strip():
            raise where.error("archive", f"expected a file path, not {_type(value)}")
        archive = folder / value
    cache = None
    if "cache" in table:
        value = table["cache"]
        if not isinstance(value, str) or not value.strip():
            raise where.error("cache", f"expected a file path, not {_type(value)}")
        cache = folder / value
    respect_gitignore = table.get("respect-gitignore")
    if respect_gitignore is not None and not isinstance(respect_gitignore, bool):
        raise where.error("respect-gitignore", f"expected true or false, not {_type(respect_gitignore)}")
    per_file: dict[str, frozenset[str]] = {}
    for glob, rules in _table(table, "per-file-ignores", where).items():
        per_file[glob] = _rules({glob: rules}, glob, _Where(where.file, f"{where.prefix}per-file-ignores."))
    territory = None
    if "territory" in table:
        value = table["territory"]
        territory = territory_code(value) if isinstance(value, str) else None
        if territory is None:
            raise where.error("territory", f"expected an ISO 3166 country code or name such as \"GB\", not {value!r}")
    outlet = None
    if "outlet" in table:
        value = table["outlet"]
        if not isinstance(value, str) or not value.strip():
            raise where.error("outlet", f"expected the publication's name, not {_type(value)}")
        outlet = " ".join(value.split())
    fetch = None
    if "fetch" in table:
        if not isinstance(table["fetch"], bool):
            raise where.error("fetch", f"expected true or false, not {_type(table['fetch'])}")
        fetch = table["fetch"]
    hosts = table.get("allow-hosts", [])
    if isinstance(hosts, str):
        hosts = [hosts]
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h.strip() for h in hosts):
        raise where.error("allow-hosts", "expected a list of host names")
    return Config(
        territory=territory, outlet=outlet,
        select=select, ignore=ignore, severity=MappingProxyType(severity), agencies=MappingProxyType(agencies),
        fail_on=fail_on, archive=archive, max_age=max_age, cache=cache,
        file_timeout=file_timeout, file_memory=file_memory, reuse_scope=reuse_scope,
        exclude=_globs(table, "exclude", where) if "exclude" in table else None,
        extend_exclude=_globs(table, "extend-exclude", where) if "extend-exclude" in table else (),
        respect_gitignore=respect_gitignore, per_file_ignores=MappingProxyType(per_file),
        fetch=fetch,
        allow_hosts=frozenset(h.strip().lower() for h in hosts),
        fetch_max_mb=_int(table, "fetch-max-mb", where, 1, None),
    )


def _globs(table: dict[str, Any], key: str, where: _Where) -> tuple[str, ...]:
    value = table[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error(key, f"expected a list of glob patterns, not {_type(table[key])}")
    return tuple(v.strip() for v in value)


def _rules(table: dict[str, Any], key: str, where: _Where) -> frozenset[str]:
    value = table[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(key, f"expected a list of rule names or codes, not {_type(table[key])}")
    try:
        return rule_names(value)
    except ValueError as exc:
        raise where.error(key, str(exc)) from None


def rule_names(values: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Rule names for names or codes; raises ValueError naming the first unknown one."""
    names: set[str] = set()
    for value in values:
        prefixed = rules_by_prefix(value)
        if prefixed:
            names.update(prefixed)
            continue
        rule = find_rule(value)
        if rule is None:
            raise ValueError(f"unknown rule {value!r} (`provenance rules` lists them)")
        names.add(rule.name)
    return frozenset(names)


def _table(table: dict[str, Any], key: str, where: _Where) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise where.error(key, f"expected a table, not {_type(value)}")
    return value


def _int(table: dict[str, Any], key: str, where: _Where, low: int, high: int | None) -> int | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(key, f"expected an integer, not {_type(value)}")
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise where.error(key, f"expected an integer {bounds}, not {value}")
    return value


def _type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
             dict: "a table"}
    return names.get(type(value), type(value).__name__)
