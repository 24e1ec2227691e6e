"""In-band side: an ironic-python-agent hardware manager whose clean and deploy step ``attest`` makes the node
push its TPM evidence into the session the conductor opened (management.attest).

The result this step reports is for the operator's convenience only: a tampered ramdisk could report anything.
The conductor's management.verify_attestation step reads the verdict from the verifier and decides.

Configuration comes from the ramdisk's environment (set it in the image): ATTEST_REGISTRAR_URL,
ATTEST_VERIFIER_URL, ATTEST_CA_CERT, ATTEST_TPM (default /dev/tpmrm0), ATTEST_STATE_DIR (default
/var/lib/attest-hook) and ATTEST_HOOK, the binary (default /usr/local/bin/attest-hook).
"""
from __future__ import annotations

import json
import os
from typing import Any

from ironic_python_agent import errors, hardware

from attest_ironic import hook

SESSION_KEY = 'attest_session'
PURPOSES = ('clean', 'deploy', 'firmware-update', 'manual')

_ARGSINFO = {
    'session_id': {'description': 'Attest session id (default: the one management.attest opened).',
                   'required': False},
    'purpose': {'description': 'clean, deploy, firmware-update or manual (default: the session\'s).',
                'required': False},
}


class AttestHardwareManager(hardware.HardwareManager):
    HARDWARE_MANAGER_NAME = 'AttestHardwareManager'
    HARDWARE_MANAGER_VERSION = '1.0'

    def evaluate_hardware_support(self) -> int:
        # Alongside the generic manager, never instead of it: we add steps, we manage no hardware.
        return hardware.HardwareSupport.SERVICE_PROVIDER

    def get_clean_steps(self, node: dict, ports: list) -> list[dict]:
        return [self._step()]

    def get_deploy_steps(self, node: dict, ports: list) -> list[dict]:
        return [self._step()]

    @staticmethod
    def _step() -> dict:
        # Priority 0: run only when asked for (manual clean, deploy templates), between the conductor's
        # management.attest and management.verify_attestation.
        return {'step': 'attest', 'priority': 0, 'interface': 'deploy', 'reboot_requested': False,
                'abortable': False, 'argsinfo': _ARGSINFO}

    def attest(self, node: dict, ports: list, session_id: str | None = None, purpose: str | None = None) -> dict:
        session = (node.get('driver_internal_info') or {}).get(SESSION_KEY) or {}
        session_id = session_id or session.get('id')
        purpose = purpose or session.get('purpose') or 'manual'
        error = errors.DeploymentError if node.get('provision_state') in ('deploying', 'deploy wait') else errors.CleaningError
        if not session_id:
            raise error('Attest: no session for this node: run management.attest before deploy.attest')
        if purpose not in PURPOSES:
            raise error(f'Attest: purpose must be one of {", ".join(PURPOSES)}')
        node_id = (node.get('driver_info') or {}).get('attest_node_id') or node['uuid']
        binary = os.environ.get('ATTEST_HOOK', '/usr/local/bin/attest-hook')
        env = dict(os.environ, ATTEST_NODE_ID=node_id)

        if not self._enrolled(env, node_id):
            enrolled = hook.run(binary, ['enroll'], env=env)
            if not enrolled.passed:
                raise error(f'Attest: enrollment of {node_id} failed: {enrolled.failure_summary()}')

        result = hook.run(binary, ['attest', '--session', session_id, '--purpose', purpose], env=env)
        if not result.passed:
            raise error(f'Attest: node {node_id} reports attestation failed: {result.failure_summary()}')
        return {'attest_session': session_id, 'reported_result': result.document.get('result')}

    @staticmethod
    def _enrolled(env: dict[str, str], node_id: str) -> bool:
        """Enroll once per ramdisk boot: attest-hook keeps the activated AK in its state directory."""
        path = os.path.join(env.get('ATTEST_STATE_DIR', '/var/lib/attest-hook'), 'attest-hook.json')
        try:
            with open(path, encoding='utf-8') as f:
                state: dict[str, Any] = json.load(f)
        except (OSError, ValueError):
            return False
        return state.get('NodeId') == node_id and state.get('Activated') is True
