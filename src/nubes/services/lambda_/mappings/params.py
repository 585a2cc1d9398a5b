"""The members of Create/UpdateEventSourceMapping checked, defaulted and applied, with
AWS's documented limits: batch sizes per source, starting positions for streams only,
retry and record-age limits, on-failure destinations, filter patterns."""

from __future__ import annotations

from typing import Any

from nubes.events.event import arn_service
from nubes.events.patterns import PatternError, compile_pattern
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.mappings.exceptions import unsupported
from nubes.services.lambda_.mappings.models import Kind, Mapping

MAX_BATCH = 10_000
MAX_FIFO_BATCH = 10
DEFAULT_BATCH = {Kind.SQS: 10, Kind.KINESIS: 100, Kind.DYNAMODB: 100}
POSITIONS = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
MAX_FILTERS = 5
# Members for other kinds of sources (Kafka, MQ, DocumentDB) or features Nubes lacks.
NOT_SUPPORTED = (
    "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig", "KMSKeyArn", "MetricsConfig", "LoggingConfig",
    "ProvisionedPollerConfig", "Tags",
)
STREAM_ONLY = ("MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
               "BisectBatchOnFunctionError", "ParallelizationFactor", "DestinationConfig")


def check_supported(params: dict[str, Any], kind: Kind) -> None:
    for member in NOT_SUPPORTED:
        if params.get(member) not in (None, [], {}):
            raise exc.InvalidParameterValue(
                f"{member} is not supported by Nubes' event source mappings.")
    if params.get("TumblingWindowInSeconds"):
        raise exc.InvalidParameterValue(
            "TumblingWindowInSeconds is not supported by Nubes' event source mappings.")
    if kind is Kind.SQS:
        for member in STREAM_ONLY:
            if params.get(member) is not None:
                raise unsupported(member)
    elif params.get("ScalingConfig") is not None:
        raise unsupported("ScalingConfig")


def starting_position(params: dict[str, Any], kind: Kind, source_arn: str
                      ) -> tuple[str | None, float | None]:
    """(StartingPosition, its timestamp) of a new mapping."""
    position = params.get("StartingPosition")
    stamp = params.get("StartingPositionTimestamp")
    if kind is Kind.SQS:
        if position is not None or stamp is not None:
            raise exc.InvalidParameterValue(
                f"Unsupported starting position for arn type: {source_arn}")
        return None, None
    if not position:
        raise exc.InvalidParameterValue(
            "1 validation error detected: Value null at 'startingPosition' failed to "
            "satisfy constraint: Member must not be null.")
    if position not in POSITIONS:
        raise exc.Validation(position, "startingPosition",
                             "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, "
                             "TRIM_HORIZON]")
    if position == "AT_TIMESTAMP" and kind is Kind.DYNAMODB:
        raise exc.InvalidParameterValue(
            f"Unsupported starting position for arn type: {source_arn}")
    if position == "AT_TIMESTAMP" and stamp is None:
        raise exc.InvalidParameterValue(
            "StartingPositionTimestamp must be provided with the AT_TIMESTAMP starting "
            "position.")
    if position != "AT_TIMESTAMP" and stamp is not None:
        raise exc.InvalidParameterValue(
            "StartingPositionTimestamp is only allowed with the AT_TIMESTAMP starting "
            "position.")
    return position, _epoch(stamp) if stamp is not None else None


def _epoch(stamp: Any) -> float:
    return float(stamp.timestamp()) if hasattr(stamp, "timestamp") else float(stamp)


def apply(mapping: Mapping, params: dict[str, Any], fifo: bool) -> None:
    """Set what ``params`` gives on ``mapping`` (new or updated), then check the whole."""
    if params.get("BatchSize") is not None:
        mapping.batch_size = int(params["BatchSize"])
    if params.get("MaximumBatchingWindowInSeconds") is not None:
        mapping.window_s = int(params["MaximumBatchingWindowInSeconds"])
    if params.get("FunctionResponseTypes") is not None:
        mapping.response_types = _response_types(params["FunctionResponseTypes"])
    if params.get("FilterCriteria") is not None:
        mapping.filters = _filters(params["FilterCriteria"])
    if params.get("ScalingConfig") is not None:
        concurrency = params["ScalingConfig"].get("MaximumConcurrency")
        if concurrency is not None and not 2 <= int(concurrency) <= 1000:
            raise exc.Validation(concurrency, "scalingConfig.maximumConcurrency",
                                 "Member must have value between 2 and 1000")
        mapping.max_concurrency = int(concurrency) if concurrency is not None else None
    if mapping.kind.stream:
        _apply_stream(mapping, params)
    _check_batch(mapping, fifo)


def _apply_stream(mapping: Mapping, params: dict[str, Any]) -> None:
    if params.get("MaximumRetryAttempts") is not None:
        mapping.max_retries = int(params["MaximumRetryAttempts"])
    if params.get("MaximumRecordAgeInSeconds") is not None:
        age = int(params["MaximumRecordAgeInSeconds"])
        if age != -1 and not 60 <= age <= 604_800:
            raise exc.InvalidParameterValue(
                f"1 validation error detected: Value '{age}' at 'maximumRecordAgeInSeconds' "
                "failed to satisfy constraint: Member must be -1 (infinite) or between 60 "
                "and 604800")
        mapping.max_age_s = age
    if params.get("BisectBatchOnFunctionError") is not None:
        mapping.bisect = bool(params["BisectBatchOnFunctionError"])
    if params.get("ParallelizationFactor") is not None:
        factor = int(params["ParallelizationFactor"])
        if factor != 1:
            raise exc.InvalidParameterValue(
                f"ParallelizationFactor {factor} is not supported by Nubes: each shard is "
                "processed by one batch at a time (ParallelizationFactor 1).")
        mapping.parallelization = factor
    if params.get("DestinationConfig") is not None:
        mapping.on_failure = _on_failure(params["DestinationConfig"])
    if not -1 <= mapping.max_retries <= 10_000:
        raise exc.Validation(mapping.max_retries, "maximumRetryAttempts",
                             "Member must have value between -1 and 10000")


def _check_batch(mapping: Mapping, fifo: bool) -> None:
    size, window = mapping.batch_size, mapping.window_s
    if not 1 <= size <= MAX_BATCH:
        raise exc.InvalidParameterValue(
            f"BatchSize must be between 1 and {MAX_BATCH}, but was {size}.")
    if not 0 <= window <= 300:
        raise exc.Validation(window, "maximumBatchingWindowInSeconds",
                             "Member must have value less than or equal to 300")
    if mapping.kind is Kind.SQS and fifo and window > 0:
        raise exc.InvalidParameterValue("Batching window is not supported for FIFO queues.")
    if mapping.kind is Kind.SQS and fifo and size > MAX_FIFO_BATCH:
        raise exc.InvalidParameterValue(
            f"Batch size must be between 1 and {MAX_FIFO_BATCH} for FIFO queues, but was "
            f"{size}.")
    if mapping.kind is Kind.SQS and size > 10 and window < 1:
        raise exc.InvalidParameterValue(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size "
            "is greater than 10")


def _response_types(given: list[str]) -> list[str]:
    for name in given:
        if name != "ReportBatchItemFailures":
            raise exc.Validation(given, "functionResponseTypes",
                                 "Member must satisfy enum value set: "
                                 "[ReportBatchItemFailures]")
    return list(dict.fromkeys(given))


def _filters(criteria: dict[str, Any]) -> list[str]:
    filters = criteria.get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise exc.InvalidParameterValue(
            f"The number of filters ({len(filters)}) exceeds the limit of {MAX_FILTERS}.")
    patterns: list[str] = []
    for entry in filters:
        text = entry.get("Pattern")
        if not isinstance(text, str) or not text:
            raise exc.InvalidParameterValue("Invalid filter pattern definition.")
        try:
            compile_pattern(text)
        except (PatternError, ValueError, TypeError):
            raise exc.InvalidParameterValue("Invalid filter pattern definition.") from None
        patterns.append(text)
    return patterns


def _on_failure(config: dict[str, Any]) -> str | None:
    if config.get("OnSuccess"):
        raise unsupported("DestinationConfig")
    destination = (config.get("OnFailure") or {}).get("Destination")
    if not destination:
        return None
    if arn_service(destination) not in ("sqs", "sns"):
        raise exc.InvalidParameterValue(
            f"The provided destination config DestinationConfig(onSuccess=null, onFailure="
            f"OnFailure(destination={destination})) is invalid. OnFailure destinations of "
            "stream event sources must be SQS queues or SNS topics.")
    return str(destination)
