"""Stand-in for ironic_python_agent.hardware (see ../README.md)."""


class HardwareSupport:
    NONE = 0
    GENERIC = 1
    MAINLINE = 2
    SERVICE_PROVIDER = 3


class HardwareManager:
    def evaluate_hardware_support(self):
        raise NotImplementedError

    def get_clean_steps(self, node, ports):
        return []

    def get_deploy_steps(self, node, ports):
        return []
