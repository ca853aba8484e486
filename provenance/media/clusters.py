"""Sets of images that are one photo: the connected components of pairwise "same photo" decisions.

`clusters` takes the decisions as they come (every pair compared, or only the candidates an index
proposed) and knows nothing of how they were made: a link is two positions and a score. Each
cluster keeps the strongest links that hold it together (a maximum spanning tree, Kruskal's order),
so the weakest of them says how loosely the cluster holds, and `path` walks them from one member to
another, to describe a member through the copies that tie it to the cluster's reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """Two items judged the same photo, and how alike."""

    a: int
    """Position of the first item."""
    b: int
    """Position of the second item."""
    score: float
    """How alike, 0..1; links with higher scores are kept first."""


@dataclass(frozen=True)
class Cluster:
    """Items connected by links, with the links that connect them."""

    members: tuple[int, ...]
    """Positions of the items, ascending."""
    tree: tuple[Link, ...]
    """The strongest links connecting every member (len(members) - 1 of them), strongest first."""

    @property
    def weakest(self) -> Link | None:
        """The weakest link of `tree`: how loosely the cluster holds (None for a single item)."""
        return self.tree[-1] if self.tree else None

    def path(self, start: int, end: int) -> list[Link]:
        """The links of `tree` from member `start` to member `end`, in walking order (empty when equal)."""
        neighbours: dict[int, list[Link]] = {m: [] for m in self.members}
        for link in self.tree:
            neighbours[link.a].append(link)
            neighbours[link.b].append(link)
        came: dict[int, Link | None] = {start: None}
        todo = [start]
        while todo:
            here = todo.pop()
            for link in neighbours[here]:
                there = link.b if link.a == here else link.a
                if there not in came:
                    came[there] = link
                    todo.append(there)
        if end not in came:
            raise ValueError(f"{end} is not a member of the cluster of {start}")
        walk: list[Link] = []
        here = end
        while (step := came[here]) is not None:
            walk.append(step)
            here = step.a if step.b == here else step.b
        return walk[::-1]


def clusters(count: int, links: Iterable[Link]) -> list[Cluster]:
    """The clusters of items 0..count-1 that `links` connect, ordered by their first member.

    Items no link touches are clusters of one. Ties between equal scores keep the links' order.
    """
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    kept: list[Link] = []
    for link in sorted(links, key=lambda k: -k.score):
        if not (0 <= link.a < count and 0 <= link.b < count):
            raise ValueError(f"link {link.a}-{link.b} outside 0..{count - 1}")
        ra, rb = root(link.a), root(link.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
            kept.append(link)
    members: dict[int, list[int]] = {}
    for i in range(count):
        members.setdefault(root(i), []).append(i)
    trees: dict[int, list[Link]] = {}
    for link in kept:
        trees.setdefault(root(link.a), []).append(link)
    ordered = sorted(members.items(), key=lambda kv: kv[1][0])
    return [Cluster(tuple(items), tuple(trees.get(r, ()))) for r, items in ordered]
