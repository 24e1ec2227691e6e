"""Management interfaces with Attest's steps, one per base interface an operator may already use.

Ironic gives a node one management interface, so the steps come as a subclass of each common one; enable the
one matching the node's hardware type (entry-point names in pyproject.toml). Redfish is in
attest_ironic.redfish, so that its optional dependency is imported only when that interface is enabled.
"""
from ironic.drivers.modules import fake, ipmitool

from attest_ironic.conductor import AttestManagementMixin


class AttestFakeManagement(AttestManagementMixin, fake.FakeManagement):
    """fake-hardware (tests, standalone trials)."""


class AttestIPMIManagement(AttestManagementMixin, ipmitool.IPMIManagement):
    """ipmi hardware type."""

