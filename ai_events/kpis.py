"""The KPI tree kept as code: `kpis/tree.yml`, checked and compiled for dbt.

A node is a leaf *measure* (an aggregate over a mart) or a *formula* over
its children. Formulas are deliberately small: a sum or difference of any
number of children, or a product or ratio of exactly two. That is enough to
write a metric as its drivers (clicks = impressions x click-through rate),
and it makes every change at a parent split exactly into what each child
contributed:

- a sum moves by the sum of its terms' changes;
- a product or ratio f(a, b) moves by the Shapley split
  1/2 [f(a1, b0) - f(a0, b0) + f(a1, b1) - f(a0, b1)] for a, and likewise
  for b, which adds up to f(a1, b1) - f(a0, b0) exactly.

`compile_tree` gives the macro the SQL of every formula and contribution,
written over columns v_<node> (this period) and p_<node> (the previous).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ai_events.project import PROJECT_DIR

TREE_FILE = PROJECT_DIR / "kpis" / "tree.yml"
_TOKEN = re.compile(r"\s*(?:([a-z_][a-z0-9_]*)|([-+*/]))")
_NODE_KEYS = {"name", "description", "parent", "formula", "measure"}


class KpiTreeError(Exception):
    """The tree cannot be used; the message names the file and the node."""


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    description: str
    parent: str | None
    formula: str | None
    model: str | None
    expression: str | None


def _tokens(where: str, formula: str) -> list[str]:
    tokens, position = [], 0
    while position < len(formula.rstrip()):
        match = _TOKEN.match(formula, position)
        if not match:
            raise KpiTreeError(f"{where}: cannot read the formula at {formula[position:]!r}")
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    return tokens


def load_tree(path: Path = TREE_FILE) -> tuple[str, dict[str, Node]]:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise KpiTreeError(f"{path}: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), dict):
        raise KpiTreeError(f"{path}: expected `north_star:` and a `nodes:` mapping")
    nodes: dict[str, Node] = {}
    for node_id, entry in document["nodes"].items():
        where = f"{path}: node {node_id}"
        if not isinstance(entry, dict):
            raise KpiTreeError(f"{where}: expected a mapping")
        unknown = sorted(set(entry) - _NODE_KEYS)
        if unknown:
            raise KpiTreeError(f"{where}: unknown key(s) {', '.join(unknown)}")
        measure = entry.get("measure")
        if (measure is None) == (entry.get("formula") is None):
            raise KpiTreeError(f"{where}: give exactly one of `formula` and `measure`")
        if measure is not None and not (
            isinstance(measure, dict) and measure.get("model") and measure.get("expression")
        ):
            raise KpiTreeError(f"{where}: a measure needs `model` and `expression`")
        nodes[node_id] = Node(
            id=node_id,
            name=str(entry.get("name") or node_id),
            description=str(entry.get("description") or ""),
            parent=entry.get("parent"),
            formula=entry.get("formula"),
            model=measure["model"] if measure else None,
            expression=measure["expression"] if measure else None,
        )
    north_star = document.get("north_star")
    if north_star not in nodes:
        raise KpiTreeError(f"{path}: north_star {north_star!r} is not a node")
    for node in nodes.values():
        if node.id == north_star and node.parent is not None:
            raise KpiTreeError(f"{path}: node {node.id}: the north star has no parent")
        if node.id != north_star and node.parent not in nodes:
            raise KpiTreeError(f"{path}: node {node.id}: parent {node.parent!r} is not a node")
    _check_formulas(path, nodes)
    depth(nodes, north_star)  # raises on a cycle or an unreachable node
    return north_star, nodes


def children(nodes: dict[str, Node], node_id: str) -> list[str]:
    return sorted(n.id for n in nodes.values() if n.parent == node_id)


def _check_formulas(path: Path, nodes: dict[str, Node]) -> None:
    for node in nodes.values():
        where = f"{path}: node {node.id}"
        kids = set(children(nodes, node.id))
        if node.formula is None:
            if kids:
                raise KpiTreeError(f"{where}: a measure cannot have children ({sorted(kids)})")
            continue
        tokens = _tokens(where, node.formula)
        names = [t for t in tokens if t not in "+-*/"]
        if set(names) != kids or len(names) != len(set(names)):
            raise KpiTreeError(
                f"{where}: the formula must name each child once; children are "
                f"{sorted(kids)}, the formula names {names}"
            )
        operators = {t for t in tokens if t in "+-*/"}
        if operators & {"*", "/"} and (len(names) != 2 or len(operators) != 1):
            raise KpiTreeError(f"{where}: a product or ratio takes exactly two children")
        expected_shape = [i % 2 == 1 for i in range(len(tokens))]
        if [t in "+-*/" for t in tokens] != expected_shape:
            raise KpiTreeError(f"{where}: write the formula as child op child op ...")


def depth(nodes: dict[str, Node], north_star: str) -> dict[str, int]:
    depths: dict[str, int] = {}
    for node in nodes.values():
        seen, current, steps = set(), node, 0
        while current.parent is not None:
            if current.id in seen:
                raise KpiTreeError(f"node {node.id}: its parents form a cycle")
            seen.add(current.id)
            current = nodes[current.parent]
            steps += 1
        if current.id != north_star:
            raise KpiTreeError(f"node {node.id}: does not lead up to the north star")
        depths[node.id] = steps
    return depths


def _substitute(tokens: list[str], values: dict[str, str]) -> str:
    parts = []
    for index, token in enumerate(tokens):
        if token in "+-*/":
            parts.append(f" {token} ")
        elif index > 0 and tokens[index - 1] == "/":
            parts.append(f"nullif({values[token]}, 0)")
        else:
            parts.append(values[token])
    return "(" + "".join(parts) + ")"


def compile_node(nodes: dict[str, Node], node: Node) -> dict:
    """The SQL of a node's formula and of each child's contribution to it."""
    if node.formula is None:
        return {"formula_sql": None, "contributions": {}}
    tokens = _tokens(node.id, node.formula)
    names = [t for t in tokens if t not in "+-*/"]
    current = {n: f"v_{n}" for n in names}
    previous = {n: f"p_{n}" for n in names}
    contributions: dict[str, str] = {}
    if {"*", "/"} & set(tokens):
        a, b = names

        def f(a_value: str, b_value: str) -> str:
            return _substitute(tokens, {a: a_value, b: b_value})

        contributions[a] = (
            f"0.5 * (({f(current[a], previous[b])} - {f(previous[a], previous[b])})"
            f" + ({f(current[a], current[b])} - {f(previous[a], current[b])}))"
        )
        contributions[b] = (
            f"0.5 * (({f(previous[a], current[b])} - {f(previous[a], previous[b])})"
            f" + ({f(current[a], current[b])} - {f(current[a], previous[b])}))"
        )
    else:
        sign = "+"
        for token in tokens:
            if token in "+-":
                sign = token
            else:
                change = f"(v_{token} - p_{token})"
                contributions[token] = change if sign == "+" else f"(-{change})"
    return {"formula_sql": _substitute(tokens, current), "contributions": contributions}


def compile_tree(path: Path = TREE_FILE) -> dict:
    north_star, nodes = load_tree(path)
    depths = depth(nodes, north_star)
    ordered = sorted(nodes.values(), key=lambda n: (-depths[n.id], n.id))
    return {
        "north_star": north_star,
        "nodes": [
            {
                "id": n.id,
                "name": n.name,
                "description": n.description,
                "parent": n.parent,
                "formula": n.formula,
                "model": n.model,
                "expression": n.expression,
                "depth": depths[n.id],
                **compile_node(nodes, n),
            }
            for n in ordered
        ],
    }
