"""The one module that talks to Great Expectations.

Great Expectations 1.x cannot evaluate expectations through its SQL
datasource over duckdb-engine: the metric queries come back empty and every
expectation fails inside with an IndexError (its issue 11579), while the same
SQL runs fine. So the warehouse hands Great Expectations pandas DataFrames
(whole marts, repeatable samples of the large event tables, and small frames
of counts computed in SQL), which its pandas execution engine evaluates for
real. Everything else in `ai_events.quality` speaks in `Expectation` and
`Outcome`; when the SQL datasource works again, only this module changes.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)


class UnknownExpectation(ValueError):
    """A suite names an expectation Great Expectations does not have."""


@dataclass(frozen=True)
class Expectation:
    type: str  # the Great Expectations name, e.g. expect_column_values_to_not_be_null
    kwargs: dict
    severity: str = "error"  # error fails the build; warning is reported
    source: str = ""  # where it was defined, for messages


@dataclass
class Outcome:
    table: str
    expectation: str
    kwargs: dict
    success: bool
    severity: str
    unexpected_count: int | None = None
    examples: list = field(default_factory=list)
    detail: str = ""

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column") or self.kwargs.get("column_A")

    def describe(self) -> str:
        subject = self.expectation
        arguments = ", ".join(
            f"{k}={v!r}" for k, v in self.kwargs.items() if k not in ("meta", "condition_parser")
        )
        text = f"{self.table}: {subject}({arguments})"
        if self.unexpected_count is not None:
            text += f": {self.unexpected_count} unexpected"
        if self.examples:
            text += f", e.g. {self.examples[:5]}"
        if self.detail:
            text += f" ({self.detail})"
        return text


def _expectation_class(name: str):
    import great_expectations as gx

    camel = "".join(part.capitalize() for part in name.split("_"))
    found = getattr(gx.expectations, camel, None)
    if found is None:
        raise UnknownExpectation(f"{name}: Great Expectations has no such expectation")
    return found


class GreatExpectationsBackend:
    """A file-backed Great Expectations context whose Data Docs keep the
    history of every run."""

    def __init__(self, root: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        root.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(root))
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self.context.variables.save()
        self.source = self.context.data_sources.add_or_update_pandas("warehouse")

    def validate(
        self,
        table: str,
        frame: pd.DataFrame,
        expectations: list[Expectation],
        key: list[str] | None = None,
    ) -> list[Outcome]:
        gx = self._gx
        name = table.replace(".", "__")
        suite = gx.ExpectationSuite(name=name)
        for index, expectation in enumerate(expectations):
            kwargs = {k: v for k, v in expectation.kwargs.items() if k != "meta"}
            with warnings.catch_warnings():
                # String row conditions are deprecated for GX 2.0, not gone.
                warnings.simplefilter("ignore", DeprecationWarning)
                configured = _expectation_class(expectation.type)(
                    **kwargs, meta={"severity": expectation.severity, "index": index}
                )
            suite.add_expectation(configured)
        suite = self.context.suites.add_or_update(suite)
        try:
            asset = self.source.get_asset(name)
        except LookupError:
            asset = self.source.add_dataframe_asset(name)
        try:
            batch = asset.get_batch_definition("whole")
        except KeyError:
            batch = asset.add_batch_definition_whole_dataframe("whole")
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        result_format: dict = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
        usable_key = [k for k in (key or []) if k in frame.columns]
        if usable_key:
            result_format["unexpected_index_column_names"] = usable_key
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = definition.run(
                batch_parameters={"dataframe": frame}, result_format=result_format
            )
        outcomes = []
        for item in result.results:
            expectation = expectations[int(item.expectation_config.meta["index"])]
            details = item.result or {}
            examples = details.get("partial_unexpected_index_list") or details.get(
                "partial_unexpected_list"
            )
            error = (item.exception_info or {}).get("exception_message")
            outcomes.append(
                Outcome(
                    table=table,
                    expectation=expectation.type,
                    kwargs=expectation.kwargs,
                    success=bool(item.success),
                    severity=expectation.severity,
                    unexpected_count=details.get("unexpected_count"),
                    examples=_plain(list(examples or [])[:5]),
                    detail=error or _observed(details),
                )
            )
        return outcomes

    def build_docs(self) -> Path:
        """Write the Data Docs and return the path of their index.html."""
        sites = self.context.build_data_docs()
        for location in sites.values():
            path = Path(location.removeprefix("file://"))
            if path.exists():
                return path
        raise FileNotFoundError("Great Expectations wrote no Data Docs site")


def _plain(values: list) -> list:
    """Examples as plain JSON values (numpy and pandas scalars read badly)."""
    return json.loads(json.dumps(values, default=str))


def _observed(details: dict) -> str:
    observed = details.get("observed_value")
    return "" if observed is None else f"observed {observed!r}"
