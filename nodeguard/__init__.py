"""nodeguard: keep Node.js container images honest."""

__version__ = "0.1.0"
