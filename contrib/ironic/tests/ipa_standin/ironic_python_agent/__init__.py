"""Stand-in for ironic-python-agent (see ../README.md): only what attest_ironic.ipa uses."""
