"""The error raised when a test dependency cannot be provided."""


class InfrastructureUnavailable(RuntimeError):  # noqa: N818 - the project's chosen name
    """Neither a configured, a local nor a containerised server could be had."""
