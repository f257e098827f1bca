"""Everything the action writes (log, step summary, outputs) passes through here, with secrets blanked."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from nodeguard.github.comments import inert_text
from nodeguard.report.common import printable

MASK = "***"


class Console:
    def __init__(self, stream: TextIO, secrets: Iterable[str] = ()):
        self.stream = stream
        # A secret quoted in markdown is escaped there (``_`` becomes ``\_``): that form is blanked too.
        self.secrets = [form for secret in secrets if secret for form in {secret, inert_text(secret)}]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def log(self, message: str) -> None:
        """A line of nodeguard's own; the prefix keeps it from ever reading as a workflow command."""
        self.write(f"nodeguard: {printable(message)}")

    def write(self, text: str) -> None:
        """Text made for the log as it is (workflow commands, reporter output)."""
        self.stream.write(self.redact(text).rstrip("\n") + "\n")
        self.stream.flush()

    def append_file(self, path: Path | None, text: str) -> None:
        if path is None:
            return
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(self.redact(text))
        except OSError as error:
            self.log(f"cannot write {path}: {error.strerror or error}")

    def set_outputs(self, path: Path | None, outputs: Mapping[str, str]) -> None:
        """Step outputs in GITHUB_OUTPUT's multi-line syntax (``name<<delimiter``, value, delimiter), as
        @actions/core writes them: no value, whatever it holds, can end its entry or add another output."""
        self.append_file(path, "".join(output_entry(name, value) for name, value in outputs.items()))


def output_entry(name: str, value: str) -> str:
    delimiter = f"ghadelimiter_{uuid.uuid4()}"  # random: a value cannot contain the line that ends it
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
