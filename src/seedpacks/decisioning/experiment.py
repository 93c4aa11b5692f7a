"""Which model scores a decision: the score node's model, or the experiment's arm for the customer.

A customer's arm depends only on a hash of (experiment, customer id), so the same customer always
lands on the same model while the split stays as configured.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from seedpacks.decisioning.scoring import SCORERS
from seedpacks.decisioning.setup import FlowInvalid, Setup

# A score node without a model scores by priority; its key in the decisions says so.
BUILTIN_PRIORITY = {
    "id": "",
    "key": "priority_weighted",
    "model_type": "priority_weighted",
    "config": {},
}


@dataclass(frozen=True)
class Assignment:
    model: dict[str, Any]
    experiment: str | None = None
    bucket: int | None = None


def bucket(experiment_id: str, customer_id: str) -> int:
    """Return the customer's stable bucket 0-99 in the experiment."""
    digest = hashlib.sha256(f"{experiment_id}\x1f{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def _model(setup: Setup, ref: str, used_by: str) -> dict[str, Any]:
    model = setup.model(ref)
    if model is None:
        raise FlowInvalid(f"{used_by} names model '{ref}', which the tenant lacks.")
    if model["model_type"] not in SCORERS:
        raise FlowInvalid(
            f"Model '{model['key']}' has type '{model['model_type']}' with no scorer."
        )
    return model


def assign(
    setup: Setup, flow: dict[str, Any], config: dict[str, Any], customer_id: str
) -> Assignment:
    """Return the model that scores this customer's decision under the flow's score node."""
    if config.get("model"):
        return Assignment(_model(setup, str(config["model"]), f"Flow '{flow['key']}'"))
    experiment_ref = config.get("experiment") or flow.get("experiment_id")
    if experiment_ref:
        experiment = setup.experiments.get(experiment_ref) or next(
            (e for e in setup.experiments.values() if e["key"] == experiment_ref), None
        )
        if experiment is None:
            raise FlowInvalid(
                f"Flow '{flow['key']}' names experiment '{experiment_ref}', which the tenant lacks."
            )
        used_by = f"Experiment '{experiment['key']}'"
        champion = experiment["champion_model_id"]
        if experiment["status"] != "running":
            return Assignment(_model(setup, champion, used_by), experiment["key"])
        split = experiment["traffic_split"]
        order = [champion, *sorted(m for m in split if m != champion)]
        b = bucket(experiment["id"], customer_id)
        edge = 0
        for model_id in order:
            edge += int(split.get(model_id, 0))
            if b < edge:
                return Assignment(_model(setup, model_id, used_by), experiment["key"], b)
        return Assignment(_model(setup, champion, used_by), experiment["key"], b)
    method = config.get("method")
    if method in SCORERS:
        found = next((m for m in setup.models.values() if m["model_type"] == method), None)
        if found is not None:
            return Assignment(found)
        if method != "priority_weighted":
            raise FlowInvalid(f"Flow '{flow['key']}' scores by {method}, but no such model exists.")
    return Assignment(BUILTIN_PRIORITY)
