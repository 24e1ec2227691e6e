"""Attest for OpenStack Ironic: thin steps around ``attest-hook``; every decision is made by Attest's verifier."""
