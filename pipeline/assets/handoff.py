"""An in-memory IO manager that lets go of a value once its last consumer has loaded it.

Dagster's default in-process IO manager keeps every step output until the run ends, so the
parsed pages, the clusters and the tables would all sit in memory at once. Here each output is
dropped when the last downstream step has taken it, and peak memory follows the largest stage
instead of the sum of all stages.
"""

import dagster as dg


class HandoffIOManager(dg.IOManager):
    def __init__(self, consumers: dict[str, int]) -> None:
        self.consumers = consumers
        self.values: dict[str, object] = {}
        self.remaining: dict[str, int] = {}

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        key = context.asset_key.to_user_string()
        self.values[key] = obj
        self.remaining[key] = self.consumers.get(key, 0)
        if self.remaining[key] == 0:
            del self.values[key]  # nobody in this job reads it: only its metadata matters

    def load_input(self, context: dg.InputContext) -> object:
        key = context.asset_key.to_user_string()
        obj = self.values[key]
        self.remaining[key] -= 1
        if self.remaining[key] <= 0:
            del self.values[key]
        return obj


def consumer_counts(assets: list) -> dict[str, int]:
    """How many steps read each asset (from the assets' declared inputs)."""
    counts: dict[str, int] = {}
    for asset in assets:
        for input_name, key in asset.keys_by_input_name.items():
            if asset.node_def.input_def_named(input_name).dagster_type.is_nothing:
                continue  # an ordering-only dependency (deps=...): nothing is loaded
            name = key.to_user_string()
            counts[name] = counts.get(name, 0) + 1
    return counts


def handoff_io_manager(assets: list) -> dg.IOManagerDefinition:
    counts = consumer_counts(assets)
    return dg.IOManagerDefinition(resource_fn=lambda _: HandoffIOManager(counts))
