"""A provider registered only by tests: one integer option, and an SDK module that does not exist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions, LoadedFile, ProviderPlugin, RecognisedFile
from nhiscan.providers.settings import ProviderSettings, cli_option


@dataclass(frozen=True)
class FakeSettings(ProviderSettings):
    """Settings of the test provider."""

    limit: int | None = cli_option("--fake-limit", "How many (an integer).", type=int, metavar="N")
    """An integer option, to test conversion errors."""


class Plugin(ProviderPlugin):
    name: ClassVar[str] = "fake"
    extra: ClassVar[str] = "fake"
    description: ClassVar[str] = "test provider"
    display_name: ClassVar[str] = "Fake"
    settings_class = FakeSettings
    sdk_modules: ClassVar[tuple[str, ...]] = ("nhiscan_no_such_sdk",)

    def credentials_hint(self, options: CollectOptions) -> str | None:
        return None

    def collect(self, options: CollectOptions) -> Inventory:
        return Inventory(providers=("fake",))

    def recognise(self, file: LoadedFile) -> str | None:
        return None

    def build(self, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
        return Inventory(providers=("fake",))
