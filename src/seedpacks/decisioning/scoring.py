"""Scoring models: each turns (customer, candidate offers) into one score per offer.

Scores are on a 0-1 scale where the model allows (probabilities, posterior draws); score-based
models (priority, scorecard) are scaled to it too, so the match multipliers act alike on all.
"""

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from seedpacks.decisioning.conditions import holds, number, plain
from seedpacks.decisioning.context import Context

Scorer = Callable[[dict[str, Any], Context, list[dict[str, Any]], np.random.Generator], list[float]]
LEARNERS = ("thompson_bandit", "epsilon_greedy", "bayesian")


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def _params(model: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Return the model's parameters: its state where it holds any, else its config."""
    state = ctx.states().get(model["id"]) or {}
    return {**model["config"], **state}


def priority_weighted(
    model: dict[str, Any], ctx: Context, offers: list[dict[str, Any]], rng: np.random.Generator
) -> list[float]:
    """Score by the offer's priority (0-100), lifted by its business value when configured."""
    weight = float(model["config"].get("businessValueWeight", 0.0))
    top = max((o["business_value"] for o in offers), default=0.0) or 1.0
    return [o["priority"] / 100 * (1 - weight) + weight * o["business_value"] / top for o in offers]


def scorecard(
    model: dict[str, Any], ctx: Context, offers: list[dict[str, Any]], rng: np.random.Generator
) -> list[float]:
    """Score baseScore + points of the rules that hold, over the maximum, times priority."""
    params = _params(model, ctx)
    rules = params.get("rules", [])
    base = float(params.get("baseScore", 0))
    ceiling = float(params.get("maxScore", base + sum(max(r.get("points", 0), 0) for r in rules)))
    scores = []
    for offer in offers:
        total = base
        for rule in rules:
            if rule.get("offer") not in (None, offer["id"]):
                continue
            if rule.get("category") not in (None, offer["category_id"]):
                continue
            value = ctx.attributes.get(rule["field"])
            if holds(value, rule.get("operator", "="), rule.get("value")):
                total += float(rule.get("points", 0))
        scores.append(max(total, 0.0) / (ceiling or 1.0) * offer["priority"] / 100)
    return scores


def thompson_bandit(
    model: dict[str, Any], ctx: Context, offers: list[dict[str, Any]], rng: np.random.Generator
) -> list[float]:
    """Score each offer by a draw from its arm's Beta(alpha, beta) posterior."""
    params = _params(model, ctx)
    arms, prior = params.get("arms", {}), params.get("prior", {"alpha": 1, "beta": 1})
    alphas = [float(arms.get(o["id"], prior)["alpha"]) for o in offers]
    betas = [float(arms.get(o["id"], prior)["beta"]) for o in offers]
    return [float(x) for x in rng.beta(alphas, betas)] if offers else []


def epsilon_greedy(
    model: dict[str, Any], ctx: Context, offers: list[dict[str, Any]], rng: np.random.Generator
) -> list[float]:
    """Score by mean reward, or at random with probability epsilon; untried arms go first."""
    params = _params(model, ctx)
    if rng.random() < float(params.get("epsilon", 0.1)):
        return [float(x) for x in rng.random(len(offers))]
    arms = params.get("arms", {})
    scores = []
    for offer in offers:
        arm = arms.get(offer["id"], {})
        pulls = float(arm.get("pulls", 0))
        scores.append(float(arm.get("totalReward", 0)) / pulls if pulls else 1.0)
    return scores


def bayesian(
    model: dict[str, Any], ctx: Context, offers: list[dict[str, Any]], rng: np.random.Generator
) -> list[float]:
    """Score by the posterior mean of each offer's positive rate."""
    params = _params(model, ctx)
    posteriors, prior = params.get("posteriors", {}), params.get("prior", {"alpha": 1, "beta": 1})
    a, b = float(prior.get("alpha", 1)), float(prior.get("beta", 1))
    scores = []
    for offer in offers:
        post = posteriors.get(offer["id"], {})
        positives, trials = float(post.get("positives", 0)), float(post.get("trials", 0))
        scores.append((positives + a) / (trials + a + b))
    return scores


def _feature(ctx: Context, name: str) -> float:
    """Return a model input: `table.column` as a number, `table.column=value` as 0/1."""
    if "=" in name:
        field, wanted = name.split("=", 1)
        return 1.0 if str(plain(ctx.attributes.get(field))) == wanted else 0.0
    return number(ctx.attributes.get(name))


def _linear(ctx: Context, params: dict[str, Any]) -> float:
    scales = params.get("scaling", {})
    total = float(params.get("bias", params.get("intercept", 0.0)))
    for name, weight in params.get("weights", {}).items():
        x = _feature(ctx, name)
        if name in scales:
            x = (x - float(scales[name].get("center", 0))) / float(scales[name].get("spread", 1))
        total += float(weight) * x
    return total


def logistic_regression(
    model: dict[str, Any], ctx: Context, offers: list[dict[str, Any]], rng: np.random.Generator
) -> list[float]:
    """Score sigmoid(bias + weights . features), with per-offer terms under `offers` if given."""
    params = _params(model, ctx)
    shared = _linear(ctx, params)
    per_offer = params.get("offers", {})
    return [
        _sigmoid(shared + (_linear(ctx, per_offer[o["id"]]) if o["id"] in per_offer else 0.0))
        for o in offers
    ]


def _tree(ctx: Context, node: Any) -> float:
    """Walk a tree to its leaf: `threshold` sends x < threshold left, `equals` sends a match
    right; a branch is a number (a leaf) or another node."""
    while isinstance(node, dict):
        if "value" in node or "leaf" in node:
            return float(node.get("value", node.get("leaf")) or 0.0)
        if "equals" in node:
            actual = plain(ctx.attributes.get(node["field"]))
            right = actual is not None and str(actual) == str(node["equals"])
        else:
            right = number(ctx.attributes.get(node["field"])) >= float(node["threshold"])
        node = node["right"] if right else node["left"]
    return float(node)


def gradient_boosted(
    model: dict[str, Any], ctx: Context, offers: list[dict[str, Any]], rng: np.random.Generator
) -> list[float]:
    """Score sigmoid(base + rate * sum of tree leaves), per-offer trees under `offers`."""
    params = _params(model, ctx)
    rate = float(params.get("learningRate", 1.0))

    def margin(p: dict[str, Any]) -> float:
        return float(p.get("baseScore", p.get("bias", 0.0))) + rate * sum(
            _tree(ctx, t) for t in p.get("trees", [])
        )

    shared = margin(params)
    per_offer = params.get("offers", {})
    return [
        _sigmoid(shared + (margin(per_offer[o["id"]]) if o["id"] in per_offer else 0.0))
        for o in offers
    ]


SCORERS: dict[str, Scorer] = {
    "priority_weighted": priority_weighted,
    "scorecard": scorecard,
    "thompson_bandit": thompson_bandit,
    "epsilon_greedy": epsilon_greedy,
    "bayesian": bayesian,
    "logistic_regression": logistic_regression,
    "gradient_boosted": gradient_boosted,
}
