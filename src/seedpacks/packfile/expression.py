"""The expression of a `compute` column or an `expression` parameter: a small closed grammar,
parsed here into numpy operations; a file never runs code (no eval, no names but its own).

    expression := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | compare
    compare    := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | power
    power      := atom ("**" unary)?
    atom       := number | name | name "." name | function "(" arguments ")" | "(" expression ")"

A name is an earlier number or boolean column, a parameter of `with`, or `ref.column`: a column
of the row that the reference column `ref` points at. Every value is a float per row (true 1,
false 0, NULL NaN: a comparison with it is false, but != true, as in numpy), computed in numpy
in the order written with Python's precedence, so an expression gives the numbers of the same
formula in a Python pack.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

import numpy as np
import polars as pl

from seedpacks.packfile.context import NUMERIC, Context, Refused
from seedpacks.packfile.sources import source
from seedpacks.packs import depend
from seedpacks.packs.block import Block

MAX_LENGTH = 2000
MAX_NODES = 300
MAX_DEPTH = 20
MAX_LANE = 15
# Function: (fewest, most arguments).
FUNCTIONS = {
    "min": (2, 8), "max": (2, 8), "clip": (3, 3), "round": (1, 2), "floor": (1, 1),
    "ceil": (1, 1), "exp": (1, 1), "log": (1, 1), "sqrt": (1, 1), "abs": (1, 1),
    "where": (3, 3), "uniform": (0, 1), "normal": (0, 1),
}  # fmt: skip
WORDS = ("and", "or", "not")
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\*\*|<=|>=|==|!=|[-+*/<>(),.]))"
)
_COMPARE = ("<", "<=", ">", ">=", "==", "!=")

Value = np.ndarray | float
Eval = Callable[[Block, dict[str, Any]], Value]


class Invalid(ValueError):
    """An expression that does not parse, at a character of it."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")


@dataclass(frozen=True)
class Node:
    kind: str  # number, name, call, unary, binary
    position: int
    value: Any = None  # the number, name, function or operator
    parts: tuple["Node", ...] = ()


def _tokens(text: str) -> list[tuple[str, str, int]]:
    found: list[tuple[str, str, int]] = []
    at = len(text) - len(text.lstrip())
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.lastgroup is None:
            raise Invalid(f"unexpected {text[at]!r}", at)
        found.append((match.lastgroup, match[match.lastgroup], match.start(match.lastgroup)))
        at = match.end()
        at += len(text[at:]) - len(text[at:].lstrip())
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.nodes = 0
        self.depth = 0
        self.end = len(text)

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "", self.end)

    def take(self, *ops: str) -> tuple[str, str, int] | None:
        kind, text, position = self.peek()
        if (kind == "op" or text in WORDS) and text in ops:
            self.at += 1
            return kind, text, position
        return None

    def node(self, kind: str, position: int, value: Any = None, *parts: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Invalid(f"the expression has more than {MAX_NODES} parts", position)
        return Node(kind, position, value, parts)

    def parse(self) -> Node:
        tree = self.binary(0)
        kind, text, position = self.peek()
        if kind != "end":
            raise Invalid(f"unexpected {text!r}", position)
        return tree

    _LEVELS: tuple[tuple[str, ...], ...] = (("or",), ("and",), ("not",), _COMPARE, ("+", "-"))

    def binary(self, level: int) -> Node:
        if level == 2:
            if (token := self.take("not")) is not None:
                return self.node("unary", token[2], "not", self.nested(lambda: self.binary(2)))
            return self.binary(3)
        if level == len(self._LEVELS):
            return self.product()
        left = self.binary(level + 1)
        while (token := self.take(*self._LEVELS[level])) is not None:
            left = self.node("binary", token[2], token[1], left, self.binary(level + 1))
            if level == 3:  # a < b < c is not a comparison here: say so
                if self.take(*_COMPARE):
                    raise Invalid("compare two values at a time (use and)", token[2])
                break
        return left

    def product(self) -> Node:
        left = self.unary()
        while (token := self.take("*", "/")) is not None:
            left = self.node("binary", token[2], token[1], left, self.unary())
        return left

    def unary(self) -> Node:
        if (token := self.take("-")) is not None:
            return self.node("unary", token[2], "-", self.nested(self.unary))
        base = self.atom()
        if (token := self.take("**")) is not None:
            return self.node("binary", token[2], "**", base, self.nested(self.unary))
        return base

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Invalid(f"the expression nests more than {MAX_DEPTH} deep", self.peek()[2])
        try:
            return parse()
        finally:
            self.depth -= 1

    def atom(self) -> Node:
        kind, text, position = self.peek()
        if kind == "number":
            self.at += 1
            return self.node("number", position, float(text))
        if self.take("("):
            inner = self.nested(lambda: self.binary(0))
            self.expect(")")
            return inner
        if kind != "name" or text in WORDS:
            raise Invalid("expected a number, a name or (" if kind != "end" else
                          "the expression ends too early", position)  # fmt: skip
        self.at += 1
        if self.take("("):
            args: list[Node] = []
            if not self.take(")"):
                args.append(self.nested(lambda: self.binary(0)))
                while self.take(","):
                    args.append(self.nested(lambda: self.binary(0)))
                self.expect(")")
            return self.node("call", position, text, *args)
        if self.take("."):
            field_kind, field, _ = self.peek()
            if field_kind != "name":
                raise Invalid("expected a column name after .", self.peek()[2])
            self.at += 1
            text = f"{text}.{field}"
        return self.node("name", position, text)

    def expect(self, op: str) -> None:
        if self.take(op) is None:
            kind, text, position = self.peek()
            raise Invalid(f"expected {op!r}" + (f", not {text!r}" if text else ""), position)


def parse(text: str) -> Node:
    """Return the expression's tree (Invalid when it is not one)."""
    if len(text) > MAX_LENGTH:
        raise Invalid(f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    return _Parser(text).parse()


def _truth(x: Value) -> np.ndarray:
    return np.asarray(np.nan_to_num(x, nan=0.0) != 0)


def _number(x: Any) -> Value:
    return np.asarray(x, dtype=np.float64) if isinstance(x, np.ndarray | np.bool_) else x


_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide, "**": np.power,
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
    "and": lambda a, b: np.logical_and(_truth(a), _truth(b)),
    "or": lambda a, b: np.logical_or(_truth(a), _truth(b)),
}  # fmt: skip
_ONE: dict[str, Callable[[Value], Value]] = {
    "floor": np.floor, "ceil": np.ceil, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "abs": np.abs,
}  # fmt: skip


@dataclass
class Compiler:
    """Turns a tree into numpy operations, its names resolved in a column's context."""

    ctx: Context
    at: tuple[Any, ...]
    params: dict[str, depend.Param]
    on: dict[str, None]
    used: set[str] = field(default_factory=set)

    def problem(self, message: str, node: Node) -> Refused:
        self.ctx.problem(f"{message} (at character {node.position + 1})", *self.at)
        return Refused()

    def build(self, node: Node) -> Eval:
        if node.kind == "number":
            number = float(node.value)
            return lambda b, seen: number
        if node.kind == "name":
            return self.name(node)
        if node.kind == "unary":
            inner = self.build(node.parts[0])
            if node.value == "-":
                return lambda b, seen: np.negative(inner(b, seen))
            return lambda b, seen: _number(np.logical_not(_truth(inner(b, seen))))
        if node.kind == "binary":
            left, right = (self.build(p) for p in node.parts)
            op = _BINARY[node.value]
            return lambda b, seen: _number(op(left(b, seen), right(b, seen)))
        return self.call(node)

    def name(self, node: Node) -> Eval:
        name = node.value
        if name in FUNCTIONS:
            raise self.problem(f"{name} is a function: write {name}(...)", node)
        if name in self.params:
            self.used.add(name)
            param = self.params[name]
            for column in depend.columns_of(param):
                self.on[column] = None
            return lambda b, seen: depend.value(param, b)
        read = source(self.ctx, name, *self.at)
        if read is None:
            raise Refused
        if read.column.type not in (*NUMERIC, "boolean"):
            raise self.problem(
                f"{name} is a {read.column.type} column: read it through a parameter of with "
                f"(e.g. {{by: {name}, values: {{...}}, default: 0}})",
                node,
            )
        for column in read.on:
            self.on[column] = None

        def value(b: Block, seen: dict[str, Any]) -> Value:
            if name not in seen:  # a column read twice is looked up once
                seen[name] = read.read(b).cast(pl.Float64).to_numpy()
            return seen[name]

        return value

    def call(self, node: Node) -> Eval:
        name, parts = node.value, node.parts
        if name not in FUNCTIONS:
            raise self.problem(f"unknown function {name}; known: {', '.join(FUNCTIONS)}", node)
        fewest, most = FUNCTIONS[name]
        if not fewest <= len(parts) <= most:
            count = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise self.problem(f"{name} takes {count} arguments, not {len(parts)}", node)
        if name in ("uniform", "normal"):
            lane = self.whole(parts[0], 0, MAX_LANE, "the lane") if parts else 0
            if name == "uniform":
                return lambda b, seen: b.uniform(lane)
            return lambda b, seen: b.normal(lane)
        if name == "round":
            digits = self.whole(parts[1], -12, 12, "the digits") if len(parts) > 1 else 0
            inner = self.build(parts[0])
            return lambda b, seen: np.round(inner(b, seen), digits)
        args = [self.build(p) for p in parts]
        if name in _ONE:
            one, inner = _ONE[name], args[0]
            return lambda b, seen: one(inner(b, seen))
        if name == "clip":
            x, low, high = args
            return lambda b, seen: np.clip(x(b, seen), low(b, seen), high(b, seen))
        if name == "where":
            test, then, otherwise = args
            return lambda b, seen: np.where(
                _truth(test(b, seen)), then(b, seen), otherwise(b, seen)
            )
        fold = np.minimum if name == "min" else np.maximum
        return lambda b, seen: reduce(fold, (a(b, seen) for a in args))

    def whole(self, node: Node, low: int, high: int, what: str) -> int:
        negative = node.kind == "unary" and node.value == "-" and node.parts[0].kind == "number"
        if node.kind != "number" and not negative:
            raise self.problem(f"{what} must be a whole number as written", node)
        number = -node.parts[0].value if negative else node.value
        if not float(number).is_integer():
            raise self.problem(f"{what} must be a whole number as written", node)
        if not low <= number <= high:
            raise self.problem(f"{what} must be from {low} to {high}", node)
        return int(number)


def compile_expression(
    text: str, params: dict[str, depend.Param], ctx: Context, *at: Any
) -> tuple[Callable[[Block], np.ndarray], tuple[str, ...]]:
    """Return the expression as a function of a block (a float per row) and the columns it
    reads; Refused after reporting a problem at `at`."""
    try:
        tree = parse(text)
    except Invalid as exc:
        ctx.problem(str(exc), *at, "expression")
        raise Refused from None
    for name in params:
        if name in FUNCTIONS or name in WORDS or name in (c.name for c in ctx.table.columns):
            ctx.problem(f"'{name}' names a function or a column: name it otherwise", *at, "with")
            raise Refused
    compiler = Compiler(ctx, (*at, "expression"), params, {})
    evaluate = compiler.build(tree)
    unused = [name for name in params if name not in compiler.used]
    if unused:
        ctx.problem(f"the expression does not use {', '.join(unused)} of with", *at, "with")
        raise Refused

    def function(b: Block) -> np.ndarray:
        with np.errstate(all="ignore"):
            x = evaluate(b, {})
        return np.broadcast_to(np.asarray(x, dtype=np.float64), (len(b),)).copy()

    return function, tuple(compiler.on)
