"""Where an inventory comes from: live providers, a saved inventory, or exported files.

Exported files are recognised by content, never by name: every file is offered to every
provider's ``recognise``; a file nobody claims is an input error (nothing is skipped silently).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from nhiscan import providers
from nhiscan.errors import CollectionError, InputError, MissingExtraError
from nhiscan.inventory_io import inventory_from_dict, looks_like_inventory
from nhiscan.model import CoverageEntry, CoverageStatus, Inventory, merge
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile

MAX_FILE_BYTES = 512 * 1024 * 1024
IGNORED_SUFFIXES = {".md", ".txt.md", ".rst", ".html"}


# version control, virtualenvs and tool caches: never exports
SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".idea",
}


def _candidate_files(path: Path) -> list[tuple[Path, bool]]:
    """Files to offer importers, each with whether it is hidden (a dot-file or inside a dot-folder
    such as ``.vscode``). Hidden files are offered too — MCP client configs live there — but one
    that no importer claims is an editor or tool setting, not an export, and is passed over."""
    if path.is_file():
        return [(path, False)]
    if not path.is_dir():
        raise InputError(str(path), "no such file or directory")
    files = []
    for p in sorted(path.rglob("*")):
        parts = p.relative_to(path).parts
        if not p.is_file() or any(part in SKIPPED_DIRS for part in parts):
            continue
        if p.suffix.lower() in IGNORED_SUFFIXES:
            continue
        files.append((p, any(part.startswith(".") for part in parts)))
    if not files:
        raise InputError(str(path), "the folder contains no files to import")
    return files


def read_file(path: Path) -> tuple[LoadedFile, str | None]:
    """Read and parse once. Returns the file and, when it looked like JSON but did not parse,
    the parse error (reported only if no importer claims the raw text)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(str(path), f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    text = _decode(raw, path)
    stripped = text.lstrip("\ufeff").lstrip()
    error = None
    data: Any = None
    if stripped[:1] in ("{", "["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            error = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    elif path.suffix.lower() in (".yaml", ".yml"):
        try:
            # the C loader parses a large install manifest ~10x faster; both are safe loaders
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            docs = [doc for doc in yaml.load_all(stripped, Loader=loader) if doc is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            error = f"invalid YAML{at}: {getattr(exc, 'problem', exc)}"
        else:
            data = docs[0] if len(docs) == 1 else docs
    return LoadedFile(path=path, text=text, data=data), error


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not a UTF-8 or UTF-16 text file (byte {exc.start})") from exc


def load_path(path: Path, options: CollectOptions) -> Inventory:
    """A saved inventory, one exported file, or a folder of them (mixed providers allowed)."""
    plugins = {name: providers.get(name) for name in providers.available()}
    saved: list[Inventory] = []
    claimed: dict[str, list[RecognisedFile]] = defaultdict(list)
    for file_path, hidden in _candidate_files(path):
        loaded, error = read_file(file_path)
        if looks_like_inventory(loaded.data):
            saved.append(inventory_from_dict(loaded.data, str(file_path)))
            continue
        for name, plugin in plugins.items():
            doc_type = plugin.recognise(loaded)
            if doc_type:
                claimed[name].append(RecognisedFile(file=loaded, doc_type=doc_type, provider=name))
                break
        else:
            if hidden:
                continue
            if error:
                raise InputError(str(file_path), error)
            raise InputError(
                str(file_path),
                "not a saved nhiscan inventory or a recognised export "
                "(see README: 'Scanning exported files' for the accepted commands)",
            )
    parts = list(saved)
    for name, files in claimed.items():
        parts.append(plugins[name].build(files, options))
    return merge(parts, generated_at=options.as_of)


def collect_live(
    names: Sequence[str], options: CollectOptions
) -> tuple[Inventory, tuple[str, ...], dict[str, str]]:
    """Scan the named providers, or with none named every provider whose credentials are found.
    Returns the inventory, the providers scanned and the skipped ones with the reason."""
    explicit = bool(names)
    installed = providers.available()
    candidates = list(names) if explicit else installed
    skipped: dict[str, str] = {}
    parts: list[Inventory] = []
    scanned: list[str] = []
    for name in candidates:
        if name not in providers.PROVIDER_MODULES:
            raise InputError(
                "command line", f"unknown provider {name!r} (known: {', '.join(providers.PROVIDER_MODULES)})"
            )
        if name not in installed:
            message = f"provider {name!r} is not implemented in this version"
            if explicit:
                raise InputError("command line", message)
            skipped[name] = message
            continue
        plugin = providers.get(name)
        missing = providers.missing_sdk(name)
        if missing is not None:
            error = MissingExtraError(name, missing, plugin.extra)
            if explicit:
                raise error
            skipped[name] = error.reason
            continue
        if not explicit:
            hint = plugin.credentials_hint(options)
            if hint:
                skipped[name] = hint
                continue
        try:
            parts.append(plugin.collect(options))
            scanned.append(name)
        except MissingExtraError as exc:
            if explicit:
                raise
            skipped[name] = exc.reason
        except CollectionError as exc:
            if explicit:
                raise
            scanned.append(name)
            parts.append(
                Inventory(
                    coverage=(
                        CoverageEntry(
                            name,
                            f"{name}:unknown:",
                            "collection",
                            CoverageStatus.ERROR.value,
                            exc.diagnostics(),
                        ),
                    ),
                    providers=(name,),
                )
            )
    if not scanned:
        why = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "no provider available"
        raise CollectionError(f"nothing to scan: {why}")
    return merge(parts, generated_at=options.as_of), tuple(scanned), skipped
