"""attest_ironic.ipa against the ironic-python-agent stand-in (tests/ipa_standin) and a scripted attest-hook.

Run: /usr/bin/python3 -m unittest discover -s contrib/ironic/tests
"""
import json
import os
import stat
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'ipa_standin'), os.path.dirname(HERE)]

from ironic_python_agent import errors, hardware  # noqa: E402  (the stand-in)

from attest_ironic import ipa  # noqa: E402

# A scripted attest-hook: records each call, answers per command from FAKE_HOOK_<COMMAND> ("rc|stdout").
FAKE_HOOK = textwrap.dedent('''\
    #!/bin/sh
    echo "$*" >> "$FAKE_HOOK_LOG"
    answer=$(eval echo "\\$FAKE_HOOK_$(echo "$1" | tr a-z A-Z)")
    echo "${answer#*|}"
    exit "${answer%%|*}"
    ''')


class AttestHardwareManagerTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.hook = os.path.join(self.dir.name, 'attest-hook')
        with open(self.hook, 'w', encoding='utf-8') as f:
            f.write(FAKE_HOOK)
        os.chmod(self.hook, stat.S_IRWXU)
        self.log = os.path.join(self.dir.name, 'calls.log')
        self.env = {'ATTEST_HOOK': self.hook, 'ATTEST_STATE_DIR': self.dir.name, 'FAKE_HOOK_LOG': self.log,
                    'FAKE_HOOK_ENROLL': '0|{"state":"active"}', 'FAKE_HOOK_ATTEST': '0|{"result":"pass"}',
                    'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
        patcher = mock.patch.dict(os.environ, self.env, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.manager = ipa.AttestHardwareManager()

    def calls(self):
        with open(self.log, encoding='utf-8') as f:
            return [line.split() for line in f.read().splitlines()]

    @staticmethod
    def node(session=None, state='cleaning'):
        info = {'attest_session': {'id': session, 'purpose': 'clean'}} if session else {}
        return {'uuid': 'n-1', 'driver_info': {}, 'driver_internal_info': info, 'provision_state': state}

    def test_adds_the_attest_step_for_clean_and_deploy_as_a_service_provider(self):
        self.assertEqual(hardware.HardwareSupport.SERVICE_PROVIDER, self.manager.evaluate_hardware_support())
        for steps in (self.manager.get_clean_steps({}, []), self.manager.get_deploy_steps({}, [])):
            self.assertEqual([('attest', 0, 'deploy')], [(s['step'], s['priority'], s['interface']) for s in steps])

    def test_enrolls_when_not_enrolled_then_attests_in_the_conductors_session(self):
        result = self.manager.attest(self.node('s-1'), [])

        calls = self.calls()
        self.assertEqual('enroll', calls[0][0])
        self.assertEqual(['attest', '--session', 's-1', '--purpose', 'clean'], calls[1][:5])
        self.assertEqual('s-1', result['attest_session'])

    def test_skips_enrollment_when_this_node_is_already_enrolled(self):
        with open(os.path.join(self.dir.name, 'attest-hook.json'), 'w', encoding='utf-8') as f:
            json.dump({'NodeId': 'n-1', 'Activated': True}, f)

        self.manager.attest(self.node('s-1'), [], purpose='firmware-update')

        self.assertEqual([['attest', '--session', 's-1', '--purpose', 'firmware-update', '--format', 'json']], self.calls())

    def test_without_a_session_the_step_fails_without_calling_the_hook(self):
        with self.assertRaises(errors.CleaningError):
            self.manager.attest(self.node(), [])
        self.assertFalse(os.path.exists(self.log))

    def test_failed_attestation_raises_with_attests_failure_code(self):
        os.environ['FAKE_HOOK_ATTEST'] = '1|{"result":"fail","failures":[{"code":"eventlog.pcr_mismatch","message":"x"}]}'

        with self.assertRaises(errors.DeploymentError) as raised:
            self.manager.attest(self.node('s-2', state='deploying'), [])

        self.assertIn('eventlog.pcr_mismatch', str(raised.exception.details))

    def test_unreachable_verifier_raises(self):
        os.environ['FAKE_HOOK_ATTEST'] = '3|'

        with self.assertRaises(errors.CleaningError) as raised:
            self.manager.attest(self.node('s-3'), [])

        self.assertIn('unreachable', str(raised.exception.details))


if __name__ == '__main__':
    unittest.main()
