"""Lambda's resources and the rules on them, without HTTP or storage: function versions,
aliases, layer versions, the configuration members and their limits and defaults."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import LATEST, function_arn

MAX_ZIP_DIRECT = 50 * 1024 * 1024  # a ZipFile in the request
MAX_UNZIPPED = 250 * 1024 * 1024  # code and layers, extracted
TOTAL_CODE_SIZE = 75 * 1024 * 1024 * 1024  # per account and region
MAX_ENVIRONMENT = 4 * 1024
MAX_LAYERS = 5
MAX_TIMEOUT = 900
MEMORY_RANGE = (128, 10240)
EPHEMERAL_RANGE = (512, 10240)
MIN_UNRESERVED = 100
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
_ROLE = re.compile(f"^{ROLE_PATTERN}$")
DLQ_PATTERN = r"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"
_DEAD_LETTER = re.compile(f"^(?:{DLQ_PATTERN})$")

# Members of a function's configuration a user sets (CreateFunction and
# UpdateFunctionConfiguration), kept as AWS echoes them.
CONFIG_MEMBERS = (
    "Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "Environment",
    "TracingConfig", "DeadLetterConfig", "KMSKeyArn", "EphemeralStorage", "LoggingConfig",
    "Layers", "PackageType", "Architectures", "VpcConfig", "ImageConfig", "SnapStart",
)


class State(StrEnum):
    PENDING = "Pending"
    ACTIVE = "Active"
    FAILED = "Failed"


class UpdateStatus(StrEnum):
    IN_PROGRESS = "InProgress"
    SUCCESSFUL = "Successful"
    FAILED = "Failed"


def new_revision() -> str:
    return str(uuid.uuid4())


def timestamp(seconds: float) -> str:
    """Lambda's LastModified format: 2024-01-31T12:00:00.000+0000."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


@dataclass(slots=True)
class FunctionVersion:
    """$LATEST or a published version: its configuration, code and states."""

    account_id: str
    region: str
    name: str
    version: str
    config: dict[str, Any]
    code_sha: str  # hex sha256 of the deployment package
    code_size: int
    last_modified: float
    revision_id: str = field(default_factory=new_revision)
    state: State = State.PENDING
    state_reason: str | None = "The function is being created."
    state_reason_code: str | None = "Creating"
    update_status: UpdateStatus | None = None
    update_reason: str | None = None
    update_reason_code: str | None = None
    description: str | None = None  # a published version's own Description

    @property
    def arn(self) -> str:
        return function_arn(self.account_id, self.region, self.name)

    @property
    def version_arn(self) -> str:
        return function_arn(self.account_id, self.region, self.name, self.version)

    @property
    def ready(self) -> bool:
        return self.state is State.ACTIVE

    def fingerprint(self) -> str:
        """What makes two versions the same: code and configuration (for PublishVersion)."""
        return json.dumps([self.code_sha, self.config], sort_keys=True)

    def published(self, number: int, description: str | None, now: float) -> FunctionVersion:
        return replace(self, version=str(number), description=description, last_modified=now,
                       revision_id=new_revision(), update_status=UpdateStatus.SUCCESSFUL,
                       update_reason=None, update_reason_code=None)


@dataclass(slots=True)
class Alias:
    account_id: str
    region: str
    function: str
    name: str
    version: str
    description: str = ""
    weights: dict[str, float] = field(default_factory=dict)  # AdditionalVersionWeights
    revision_id: str = field(default_factory=new_revision)

    @property
    def arn(self) -> str:
        return function_arn(self.account_id, self.region, self.function, self.name)


@dataclass(slots=True)
class LayerVersion:
    account_id: str
    region: str
    name: str
    version: int
    code_sha: str
    code_size: int
    created: float
    attrs: dict[str, Any] = field(default_factory=dict)  # Description, CompatibleRuntimes...


# -- validating configuration -------------------------------------------------------------


def check_config(params: dict[str, Any], creating: bool) -> None:
    """The checks AWS makes of configuration members, in the words it uses."""
    if "Role" in params and not _ROLE.match(params["Role"] or ""):
        raise exc.Validation(params["Role"], "role",
                             f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")
    _check_range(params.get("MemorySize"), "memorySize", *MEMORY_RANGE)
    _check_range(params.get("Timeout"), "timeout", 1, MAX_TIMEOUT)
    ephemeral = (params.get("EphemeralStorage") or {}).get("Size")
    _check_range(ephemeral, "ephemeralStorage.size", *EPHEMERAL_RANGE)
    if creating and params.get("PackageType", "Zip") == "Zip" and not (
            params.get("Runtime") and params.get("Handler")):
        raise exc.InvalidParameterValue("Runtime and Handler are mandatory parameters for "
                                        "functions created with deployment packages.")
    if params.get("PackageType") == "Image":
        raise exc.InvalidParameterValue("Nubes runs deployment packages (PackageType Zip) "
                                        "only; container images are not supported.")
    check_environment(params.get("Environment"))
    if len(params.get("Layers") or []) > MAX_LAYERS:
        raise exc.InvalidParameterValue("Cannot reference more than 5 layers.")
    check_dead_letter(params.get("DeadLetterConfig"))
    for arch in params.get("Architectures") or []:
        if arch not in ("x86_64", "arm64"):
            raise exc.Validation(params["Architectures"], "architectures",
                                 "Member must satisfy enum value set: [x86_64, arm64]")


def check_dead_letter(config: dict[str, Any] | None) -> None:
    """A DeadLetterConfig's TargetArn: an SQS queue or SNS topic ARN, or '' (none).
    AWS checks the execution role may send there; Nubes enforces no IAM, and a queue
    or topic missing when an event fails is logged and skipped."""
    target = (config or {}).get("TargetArn")
    if not target:
        return
    if not _DEAD_LETTER.match(target):
        raise exc.Validation(target, "deadLetterConfig.targetArn",
                             f"Member must satisfy regular expression pattern: {DLQ_PATTERN}")
    if target.split(":")[2] not in ("sqs", "sns"):
        raise exc.InvalidParameterValue(
            f"The provided target arn {target} is invalid: a dead-letter queue is an "
            "Amazon SQS queue or an Amazon SNS topic.")


def _check_range(value: int | None, member: str, low: int, high: int) -> None:
    if value is None:
        return
    if value < low:
        raise exc.Validation(value, member, f"Member must have value greater than or equal "
                             f"to {low}")
    if value > high:
        raise exc.Validation(value, member, f"Member must have value less than or equal to "
                             f"{high}")


def check_environment(environment: dict[str, Any] | None) -> None:
    variables = (environment or {}).get("Variables") or {}
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > MAX_ENVIRONMENT:
        raise exc.InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided exceeded the 4KB limit. String "
            f"measured: {measured}")
    for key in variables:
        if not re.match(r"^[a-zA-Z]([a-zA-Z0-9_])+$", key):
            raise exc.InvalidParameterValue(
                "Lambda was unable to configure your environment variables because the "
                f"environment variables you have provided contains reserved keys or keys "
                f"that are not valid: {key}")


def initial_config(params: dict[str, Any]) -> dict[str, Any]:
    """A new function's configuration: what was given, AWS's defaults for the rest."""
    config: dict[str, Any] = {
        "Description": "", "Timeout": 3, "MemorySize": 128, "PackageType": "Zip",
        "Architectures": ["x86_64"], "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{params['FunctionName']}"},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
    }
    return merge_config(config, params)


def merge_config(config: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """``config`` updated with the configuration members present in ``params``."""
    out = dict(config)
    for member in CONFIG_MEMBERS:
        if member in params and params[member] is not None:
            out[member] = params[member]
    if "TracingConfig" in params:
        out["TracingConfig"] = {"Mode": params["TracingConfig"].get("Mode", "PassThrough")}
    if not (out.get("Environment") or {}).get("Variables"):
        out.pop("Environment", None)
    if not (out.get("DeadLetterConfig") or {}).get("TargetArn"):
        out.pop("DeadLetterConfig", None)  # TargetArn '' removes the dead-letter queue
    return out


# -- output shapes ----------------------------------------------------------------------


def configuration(fv: FunctionVersion, layer_sizes: dict[str, int],
                  qualified: bool = False) -> dict[str, Any]:
    """The FunctionConfiguration shape of a version, as GetFunctionConfiguration answers."""
    config = fv.config
    out: dict[str, Any] = {
        key: value for key, value in config.items() if key not in ("Layers", "ImageConfig")
    }
    out.update({
        "FunctionName": fv.name,
        "FunctionArn": fv.version_arn if qualified or fv.version != LATEST else fv.arn,
        "CodeSize": fv.code_size,
        "CodeSha256": code_sha_b64(fv.code_sha),
        "Version": fv.version,
        "LastModified": timestamp(fv.last_modified),
        "RevisionId": fv.revision_id,
        "State": fv.state.value,
    })
    if fv.description is not None:
        out["Description"] = fv.description
    if config.get("Layers"):
        out["Layers"] = [{"Arn": arn, "CodeSize": layer_sizes.get(arn, 0)}
                         for arn in config["Layers"]]
    for key, value in (("StateReason", fv.state_reason),
                       ("StateReasonCode", fv.state_reason_code),
                       ("LastUpdateStatus", fv.update_status),
                       ("LastUpdateStatusReason", fv.update_reason),
                       ("LastUpdateStatusReasonCode", fv.update_reason_code)):
        if value is not None:
            out[key] = str(value)
    return out


def code_sha_b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def alias_output(alias: Alias) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AliasArn": alias.arn, "Name": alias.name, "FunctionVersion": alias.version,
        "Description": alias.description, "RevisionId": alias.revision_id,
    }
    if alias.weights:
        out["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.weights)}
    return out
