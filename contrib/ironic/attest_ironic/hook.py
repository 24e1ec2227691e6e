"""Running ``attest-hook`` and reading its result. Shared by the conductor side and the ramdisk side.

Nothing here decides whether a machine is trustworthy: the exit code and the verifier's JSON are the answer.
Exit codes are attest-hook's contract (docs/ironic.md): 0 pass, 1 attestation failed, 2 usage/configuration,
3 service unreachable or timed out after bounded retries.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from typing import Mapping, Sequence

PASS, FAILED, USAGE, UNREACHABLE = 0, 1, 2, 3


@dataclass
class HookResult:
    exit_code: int
    stdout: str
    stderr: str
    document: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.exit_code == PASS

    def failure_summary(self) -> str:
        """Attest's failure codes and messages, for ``last_error``: codes first, so operators can grep them."""
        failures = self.document.get('failures') or []
        if failures:
            codes = ', '.join(dict.fromkeys(str(f.get('code')) for f in failures))
            details = '; '.join(f"{f.get('code')}: {f.get('message')}" for f in failures)
            return f'{codes} ({details})'
        text = (self.stderr or self.stdout).strip()
        kind = {FAILED: 'attestation failed', USAGE: 'attest-hook usage/configuration error',
                UNREACHABLE: 'Attest unreachable'}.get(self.exit_code, f'attest-hook exit code {self.exit_code}')
        return f'{kind}: {text}' if text else kind


class HookError(Exception):
    """attest-hook could not be run at all (missing binary, killed by a timeout)."""


def run(hook: str, args: Sequence[str], env: Mapping[str, str] | None = None,
        timeout: float = 300.0) -> HookResult:
    """Runs ``hook args... --format json``; parses stdout as JSON when it is JSON."""
    argv = [hook, *args, '--format', 'json']
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=dict(env) if env is not None else None,
                              timeout=timeout, check=False)
    except FileNotFoundError as e:
        raise HookError(f'attest-hook not found: {hook}') from e
    except subprocess.TimeoutExpired as e:
        raise HookError(f'attest-hook did not finish within {timeout:.0f} s') from e
    document: dict = {}
    if done.stdout.strip().startswith('{'):
        try:
            document = json.loads(done.stdout)
        except ValueError:
            document = {}
    return HookResult(done.returncode, done.stdout, done.stderr, document)
