"""An event source mapping: its settings, its state, and its shape in the API.

``enabled`` is what the user asked for; ``state`` is where the mapping is on AWS's way
there (Creating, Enabling, Updating, Disabling, Deleting settle, in the background, to
Enabled or Disabled, or to the row's removal).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from nubes.events.event import arn_service


class State(StrEnum):
    CREATING = "Creating"
    ENABLING = "Enabling"
    ENABLED = "Enabled"
    DISABLING = "Disabling"
    DISABLED = "Disabled"
    UPDATING = "Updating"
    DELETING = "Deleting"


SETTLED = (State.ENABLED, State.DISABLED)
NO_RECORDS = "No records processed"
OK = "OK"


class Kind(StrEnum):
    SQS = "sqs"
    KINESIS = "kinesis"
    DYNAMODB = "dynamodb"

    @property
    def stream(self) -> bool:
        return self is not Kind.SQS


def kind_of(arn: str) -> Kind | None:
    service = arn_service(arn)
    if service == "sqs":
        return Kind.SQS
    if service == "kinesis":
        return Kind.KINESIS
    if service == "dynamodb" and "/stream/" in arn:
        return Kind.DYNAMODB
    return None


@dataclass
class Mapping:
    uuid: str
    account_id: str
    region: str
    function_arn: str  # as asked for: qualified (version, alias) or not
    source_arn: str
    kind: Kind
    enabled: bool
    state: State
    last_modified: float
    batch_size: int
    window_s: int = 0  # MaximumBatchingWindowInSeconds
    starting_position: str | None = None
    starting_timestamp: float | None = None
    response_types: list[str] = field(default_factory=list)  # FunctionResponseTypes
    filters: list[str] = field(default_factory=list)  # FilterCriteria's patterns (JSON)
    on_failure: str | None = None  # DestinationConfig.OnFailure.Destination
    max_retries: int = -1  # MaximumRetryAttempts (streams); -1: until records expire
    max_age_s: int = -1  # MaximumRecordAgeInSeconds (streams); -1: the stream's retention
    bisect: bool = False  # BisectBatchOnFunctionError (streams)
    parallelization: int = 1
    max_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency (SQS)
    last_result: str = NO_RECORDS

    @property
    def arn(self) -> str:
        return (f"arn:aws:lambda:{self.region}:{self.account_id}:event-source-mapping:"
                f"{self.uuid}")

    @property
    def reports_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.response_types

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        data = dict(data)
        data["kind"], data["state"] = Kind(data["kind"]), State(data["state"])
        return cls(**data)

    def describe(self) -> dict[str, Any]:
        """EventSourceMappingConfiguration, as AWS answers it for this kind of source."""
        out: dict[str, Any] = {
            "UUID": self.uuid,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.window_s,
            "EventSourceArn": self.source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": self.last_modified,
            "State": self.state.value,
            # AWS words it differently for queues and streams.
            "StateTransitionReason": "User action" if self.kind.stream else "USER_INITIATED",
            "FunctionResponseTypes": list(self.response_types),
            "EventSourceMappingArn": self.arn,
        }
        if self.filters:
            out["FilterCriteria"] = {"Filters": [{"Pattern": p} for p in self.filters]}
        if self.kind is Kind.SQS:
            if self.max_concurrency is not None:
                out["ScalingConfig"] = {"MaximumConcurrency": self.max_concurrency}
            return out
        out.update(
            LastProcessingResult=self.last_result,
            StartingPosition=self.starting_position,
            ParallelizationFactor=self.parallelization,
            DestinationConfig={"OnFailure": {"Destination": self.on_failure}
                               if self.on_failure else {}},
            MaximumRecordAgeInSeconds=self.max_age_s,
            BisectBatchOnFunctionError=self.bisect,
            MaximumRetryAttempts=self.max_retries,
            TumblingWindowInSeconds=0,
        )
        if self.starting_timestamp is not None:
            out["StartingPositionTimestamp"] = self.starting_timestamp
        return out
