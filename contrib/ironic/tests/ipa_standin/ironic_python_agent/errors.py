"""Stand-in for ironic_python_agent.errors (see ../README.md)."""


class RESTError(Exception):
    def __init__(self, details=None):
        super().__init__(details)
        self.details = details


class CleaningError(RESTError):
    pass


class DeploymentError(RESTError):
    pass
