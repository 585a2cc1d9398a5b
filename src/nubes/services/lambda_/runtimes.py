"""Which runtimes a function may name: AWS's names, limited to what this host can run."""

from __future__ import annotations

from nubes.services.lambda_ import exceptions as exc

# What LambdaOptions accepts when not told: the server passes the invoker's own
# ``available_runtimes()`` instead (registry.py), so a name is accepted only if it can run.
FALLBACK_RUNTIMES = frozenset({
    "python3.10", "python3.11", "python3.12", "python3.13",
    "nodejs18.x", "nodejs20.x", "nodejs22.x",
    "provided", "provided.al2", "provided.al2023",
})
# Runtimes AWS no longer accepts for new functions, and the one it suggests instead.
DEPRECATED = {
    "python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13",
    "python3.8": "python3.13", "nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x",
    "nodejs6.10": "nodejs22.x", "nodejs8.10": "nodejs22.x", "nodejs10.x": "nodejs22.x",
    "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x", "nodejs16.x": "nodejs22.x",
    "dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8",
    "dotnetcore3.1": "dotnet8", "ruby2.5": "ruby3.3", "ruby2.7": "ruby3.3",
    "java8": "java21", "go1.x": "provided.al2023",
}


def host_runtimes() -> frozenset[str]:
    """The runtimes accepted without an invoker to ask (unit tests, tools)."""
    return FALLBACK_RUNTIMES


def check_runtime(runtime: str, available: frozenset[str]) -> None:
    """InvalidParameterValueException, as AWS words it, for a runtime we cannot run."""
    if runtime in available:
        return
    if runtime in DEPRECATED:
        raise exc.InvalidParameterValue(
            f"The runtime parameter of {runtime} is no longer supported for creating or "
            "updating AWS Lambda functions. We recommend you use the new runtime "
            f"({DEPRECATED[runtime]}) while creating or updating functions.")
    raise exc.InvalidParameterValue(
        f"The runtime parameter of {runtime} is not supported by this Nubes host. "
        f"Supported runtimes: {', '.join(sorted(available))}.")
