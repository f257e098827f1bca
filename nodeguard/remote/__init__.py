"""What goes to the network, at the edge of the pipeline: image registries (digests of tags) and the
Node.js project's published release data. Each is asked only when the user or the action asks for it,
with short timeouts, and a failure is a note, never a failed run."""
