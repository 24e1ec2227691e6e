"""Conductor side: out-of-band steps that open an attestation session and act on the verifier's verdict.

Trust rule (docs/ironic.md): the node only pushes evidence. ``verify_attestation`` asks the verifier, with the
conductor's own operator key, for the verdict of the session ``attest`` opened; anything but a pass for this node
fails the step, and so does no verdict at all (unreachable verifier, expired session, no evidence).
"""
from __future__ import annotations

import os
import shlex
import subprocess
from typing import Any

from oslo_config import cfg
from oslo_log import log

from ironic.common import exception
from ironic.drivers import base

from attest_ironic import hook

LOG = log.getLogger(__name__)
CONF = cfg.CONF

SESSION_KEY = 'attest_session'
PURPOSES = ('clean', 'deploy', 'firmware-update', 'manual')

opts = [
    cfg.StrOpt('hook_path', default='attest-hook',
               help='The attest-hook binary on the conductor (scripts/publish-hook.sh builds it).'),
    cfg.StrOpt('verifier_url', help='The Attest verifier, e.g. https://attest-verifier:8442.'),
    cfg.StrOpt('ca_cert', help='PEM certificate to trust for the verifier\'s TLS besides the system roots.'),
    cfg.StrOpt('api_key_file', help='File holding an Attest API key with the operator role (opens sessions, '
                                    'reads verdicts). Kept out of this file and out of process arguments.'),
    cfg.IntOpt('timeout', default=10, min=1, help='Seconds attest-hook waits for one request.'),
    cfg.IntOpt('retries', default=4, min=1, help='Attempts attest-hook makes for an unreachable verifier.'),
    cfg.IntOpt('session_lifetime', help='Seconds a session\'s nonce may be used (default: the verifier\'s). '
                                        'It must cover the in-band step that pushes the evidence.'),
    cfg.StrOpt('simulated_node_command', default='',
               help='Standalone and simulation set-ups only, where no ironic-python-agent runs the in-band step: '
                    'a command the attest step runs after opening the session, to make the node push its '
                    'evidence. Each argument is formatted with {session_id}, {attest_node_id}, {node_uuid}, '
                    '{purpose} and {driver_info[KEY]}. Its exit code and output are logged, never trusted.'),
    cfg.IntOpt('simulated_node_timeout', default=120, min=1, help='Seconds simulated_node_command may take.'),
]
CONF.register_opts(opts, group='attest')

_STEP_ARGS = {
    'purpose': {
        'description': 'Why the machine is attested: clean, deploy, firmware-update or manual '
                       '(kept in the node\'s attestation history; default: the kind of step).',
        'required': False,
    },
}


_WINDOW_ARGS = {
    'reason': {
        'description': 'Why the firmware changes (kept with the change window and the new baseline), e.g. a change ticket.',
        'required': True,
    },
    'components': {
        'description': 'Firmware components expected to change: system-firmware, firmware-config, option-roms '
                       '(a list or comma-separated; default system-firmware).',
        'required': False,
    },
    'target_versions': {
        'description': 'Mapping of component to the catalog version the update must end at.',
        'required': False,
    },
    'expires_minutes': {
        'description': 'Close the window unused after this many minutes (the verifier\'s default otherwise).',
        'required': False,
    },
}

WINDOW_KEY = 'attest_firmware_window'


class AttestationFailed(exception.IronicException):
    _msg_fmt = 'Attest: %(reason)s'


def attest_node_id(node: Any) -> str:
    """Attest's id for the machine: driver_info attest_node_id, else the Ironic node UUID."""
    return (node.driver_info or {}).get('attest_node_id') or node.uuid


def _hook_env(node_id: str) -> dict[str, str]:
    env = dict(os.environ)
    env['ATTEST_NODE_ID'] = node_id
    if CONF.attest.verifier_url:
        env['ATTEST_VERIFIER_URL'] = CONF.attest.verifier_url
    if CONF.attest.ca_cert:
        env['ATTEST_CA_CERT'] = CONF.attest.ca_cert
    if CONF.attest.api_key_file:
        with open(CONF.attest.api_key_file, encoding='utf-8') as f:
            env['ATTEST_API_KEY'] = f.read().strip()
    return env


def _run_hook(node_id: str, *args: str) -> hook.HookResult:
    common = ['--timeout', str(CONF.attest.timeout), '--retries', str(CONF.attest.retries)]
    # Bound the subprocess by attest-hook's own worst case, so the hook's exit code 3 is what we normally see.
    limit = CONF.attest.retries * (CONF.attest.timeout + 10) + 30
    try:
        return hook.run(CONF.attest.hook_path, [*args, *common], env=_hook_env(node_id), timeout=limit)
    except (hook.HookError, OSError) as e:
        raise AttestationFailed(reason=str(e))


class AttestManagementMixin:
    """Adds the steps ``attest`` and ``verify_attestation`` to a management interface.

    In-band (real deployments): management.attest → the ramdisk's deploy.attest (ironic-python-agent hardware
    manager, reads the session from driver_internal_info) → management.verify_attestation.
    """

    @base.clean_step(priority=0, abortable=False, argsinfo=_STEP_ARGS, requires_ramdisk=False)
    @base.deploy_step(priority=0, argsinfo=_STEP_ARGS)
    def attest(self, task, purpose: str | None = None):
        node = task.node
        purpose = purpose or ('clean' if node.clean_step else 'deploy')
        if purpose not in PURPOSES:
            raise exception.InvalidParameterValue(f'attest: purpose must be one of {", ".join(PURPOSES)}')
        node_id = attest_node_id(node)
        args = ['session', 'open', '--purpose', purpose]
        if CONF.attest.session_lifetime:
            args += ['--lifetime', str(CONF.attest.session_lifetime)]
        result = _run_hook(node_id, *args)
        session_id = result.document.get('sessionId')
        if not result.passed or not session_id:
            raise AttestationFailed(reason=f'could not open a session for {node_id}: {result.failure_summary()}')
        node.set_driver_internal_info(SESSION_KEY, {'id': session_id, 'purpose': purpose, 'node_id': node_id})
        node.save()
        LOG.info('Attest session %(session)s opened for node %(node)s (%(purpose)s)',
                 {'session': session_id, 'node': node.uuid, 'purpose': purpose})
        if CONF.attest.simulated_node_command:
            self._run_simulated_node(node, session_id, node_id, purpose)

    @base.clean_step(priority=0, abortable=False, argsinfo=_WINDOW_ARGS, requires_ramdisk=False)
    def open_firmware_window(self, task, reason, components=None, target_versions=None, expires_minutes=None):
        """Before a firmware update: tell the verifier which components may change on the next boot.

        The attestation after the reboot (``attest`` with purpose firmware-update, then ``verify_attestation``) passes
        only if nothing else changed and the new measurements are in the verifier's firmware catalog; it then moves
        the node's baseline. See docs/firmware-updates.md.
        """
        node = task.node
        node_id = attest_node_id(node)
        if isinstance(components, str):
            components = [c.strip() for c in components.split(',') if c.strip()]
        args = ['firmware-window', 'open', '--reason', str(reason)]
        for component in components or ['system-firmware']:
            args += ['--component', component]
        for component, version in (target_versions or {}).items():
            args += ['--target', f'{component}={version}']
        if expires_minutes:
            args += ['--expires-minutes', str(int(expires_minutes))]
        result = _run_hook(node_id, *args)
        window_id = result.document.get('windowId')
        if not result.passed or not window_id:
            raise AttestationFailed(reason=f'could not open a firmware change window for {node_id}: {result.failure_summary()}')
        node.set_driver_internal_info(WINDOW_KEY, {'id': window_id, 'node_id': node_id})
        node.save()
        LOG.info('Attest firmware change window %(window)s opened for node %(node)s',
                 {'window': window_id, 'node': node.uuid})

    @base.clean_step(priority=0, abortable=False, requires_ramdisk=False)
    @base.deploy_step(priority=0)
    def verify_attestation(self, task):
        node = task.node
        # Single use: whatever happens, the next verification needs a new session.
        session = node.del_driver_internal_info(SESSION_KEY)
        node.save()
        if not session or not session.get('id'):
            raise AttestationFailed(reason='no attestation session for this node: run management.attest first')
        node_id = attest_node_id(node)
        result = _run_hook(node_id, 'verdict', '--session', session['id'])
        if not result.passed:
            raise AttestationFailed(reason=f'node {node_id} did not pass attestation (session {session["id"]}): '
                                           f'{result.failure_summary()}')
        # The session was opened for this node; a verdict naming another one means something is badly wrong.
        if result.document.get('nodeId') != node_id or result.document.get('result') != 'pass':
            raise AttestationFailed(reason=f'verdict for session {session["id"]} is not a pass for node {node_id}')
        LOG.info('Attest: node %(node)s passed attestation %(att)s (session %(session)s)',
                 {'node': node.uuid, 'att': result.document.get('attestationId'), 'session': session['id']})

    @staticmethod
    def _run_simulated_node(node, session_id: str, node_id: str, purpose: str) -> None:
        fields = {'session_id': session_id, 'attest_node_id': node_id, 'node_uuid': node.uuid,
                  'purpose': purpose, 'driver_info': node.driver_info or {}}
        try:
            argv = [part.format(**fields) for part in shlex.split(CONF.attest.simulated_node_command)]
            done = subprocess.run(argv, capture_output=True, text=True, check=False,
                                  timeout=CONF.attest.simulated_node_timeout)
            LOG.info('Attest simulated node for %(node)s exited %(rc)s: %(out)s %(err)s',
                     {'node': node.uuid, 'rc': done.returncode, 'out': done.stdout.strip(), 'err': done.stderr.strip()})
        except (OSError, KeyError, IndexError, ValueError, subprocess.TimeoutExpired) as e:
            # Not fatal here: verify_attestation fails closed when no evidence arrived.
            LOG.warning('Attest simulated node command for %(node)s failed: %(err)s', {'node': node.uuid, 'err': e})
