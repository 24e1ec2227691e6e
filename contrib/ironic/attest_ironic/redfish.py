"""Attest's steps on the Redfish management interface (imported only when enabled: sushy is optional)."""
from ironic.drivers.modules.redfish import management as redfish

from attest_ironic.conductor import AttestManagementMixin


class AttestRedfishManagement(AttestManagementMixin, redfish.RedfishManagement):
    """redfish hardware type."""
