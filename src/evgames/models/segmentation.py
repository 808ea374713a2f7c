"""User segmentation by k-means on cosine similarity (seed 002 §3), with a seeded synthetic survey.

Seed 002 clusters users by cosine similarity (its eq. (1)) on a price-sensitivity / added-value plane.
k-means with cosine similarity is ordinary Euclidean k-means on rows scaled to unit length (for unit
vectors ‖a − b‖² = 2 − 2 cos θ), so the rows are normalised and scikit-learn's ``KMeans`` (k-means++
initialisation, as the paper describes) does the rest. The within-cluster sum of squared errors (SSE)
over K = 1…20 gives the elbow curve of the paper's Figure 1; the elbow is the K farthest from the chord
joining the curve's ends.

The survey data are not published: :func:`synthetic_survey` draws respondents from four latent user
types — the paper's rational, high-end, interested and guided C-end users — on four questionnaire
scores (price sensitivity, added value, loyalty, frequency), with Gaussian noise, seeded.

Each k-means fit runs with its BLAS/OpenMP thread pools limited to one thread (``threadpoolctl``): the fits
are small, and where several processes share the cores, OpenMP threads spinning against each other made
``evgames segment`` some 30 times slower than a single thread (76 s against 2.4 s, issue #14).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from evgames.data.validation import DataError, require_integer

__all__ = ["USER_TYPES", "Segmentation", "agreement", "elbow", "segment", "sse_curve", "synthetic_survey"]

#: Latent types of the synthetic survey: mean scores on (price sensitivity, added value, loyalty, frequency).
USER_TYPES = {
    "rational": (0.9, 0.2, 0.4, 0.5),
    "high-end": (0.2, 0.9, 0.5, 0.6),
    "interested": (0.5, 0.5, 0.9, 0.3),
    "guided": (0.4, 0.3, 0.2, 0.9),
}
FEATURES = ("price_sensitivity", "added_value", "loyalty", "frequency")


def synthetic_survey(respondents: int = 400, seed: int = 0, noise: float = 0.08) -> pd.DataFrame:
    """Survey scores in [0, 1] from the four :data:`USER_TYPES` (equal shares), with the true type."""
    rng = np.random.default_rng(seed)
    names = list(USER_TYPES)
    types = rng.integers(0, len(names), size=respondents)
    means = np.array([USER_TYPES[names[t]] for t in types])
    scores = np.clip(means + rng.normal(0, noise, size=means.shape), 0.01, 1.0)
    frame = pd.DataFrame(scores, columns=list(FEATURES))
    frame["type"] = [names[t] for t in types]
    return frame


def _unit_rows(values: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise DataError("data", "zero row", "a respondent with all-zero scores has no direction")
    return values / norms


def _kmeans(unit_rows: np.ndarray, k: int, seed: int) -> KMeans:
    """k-means++ with 10 restarts on rows already scaled to unit length, on one thread (module docstring)."""
    with threadpool_limits(limits=1):
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(unit_rows)


def sse_curve(data: pd.DataFrame, max_k: int = 20, seed: int = 0, progress: bool | None = None) -> pd.Series:
    """Within-cluster SSE of cosine k-means for K = 1…max_k (seed 002 Figure 1).

    ``progress`` shows a bar over K on stderr; ``None`` shows it only when stderr is a terminal.
    """
    values = _unit_rows(data.to_numpy(dtype=float))
    distinct = len(np.unique(np.round(values, 12), axis=0))  # more clusters than points cannot be formed
    top = min(max_k, distinct)
    ks = tqdm(range(1, top + 1), desc="k-means elbow", unit="fit", disable=None if progress is None else not progress)
    inertia = [_kmeans(values, k, seed).inertia_ for k in ks]
    return pd.Series(inertia, index=pd.RangeIndex(1, top + 1, name="K"), name="sse")


def elbow(curve: pd.Series) -> int:
    """The K whose point lies farthest from the straight line through the curve's first and last points."""
    k = curve.index.to_numpy(dtype=float)
    sse = curve.to_numpy(dtype=float)
    if len(k) < 2 or sse[0] == sse[-1]:  # one distinct respondent, or nothing to gain from more clusters
        return int(k[0])
    x = (k - k[0]) / (k[-1] - k[0])
    y = (sse - sse[-1]) / (sse[0] - sse[-1])
    distance = np.abs(x + y - 1) / np.sqrt(2)  # to the chord from (0, 1) to (1, 0)
    return int(k[int(np.argmax(distance))])


@dataclass(frozen=True)
class Segmentation:
    """Labels, centroids (in the original units: cluster means) and the SSE curve."""

    k: int
    labels: pd.Series
    centroids: pd.DataFrame
    curve: pd.Series

    def to_dict(self) -> dict[str, object]:
        """JSON-ready result."""
        return {
            "k": self.k,
            "labels": self.labels.tolist(),
            "sizes": self.labels.value_counts().sort_index().to_dict(),
            "centroids": self.centroids.to_dict(orient="index"),
            "sse": self.curve.to_dict(),
        }

    def plot(self, data: pd.DataFrame, directory: str | Path) -> list[Path]:
        """Write the SSE curve and the scatter of users on the first two features (Figures 1–2)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        figure, axis = plt.subplots(figsize=(5, 3.5))
        axis.plot(self.curve.index, self.curve.to_numpy(), marker="o")
        axis.axvline(self.k, color="grey", linestyle="--", label=f"elbow K = {self.k}")
        axis.set(xlabel="K", ylabel="within-cluster SSE", title="k-means (cosine) SSE curve")
        axis.legend()
        figure.tight_layout()
        written.append(folder / "sse_curve.png")
        figure.savefig(written[-1], dpi=120)
        plt.close(figure)
        x, y = data.columns[:2]
        figure, axis = plt.subplots(figsize=(5, 4))
        for label in sorted(self.labels.unique()):
            members = data[self.labels.to_numpy() == label]
            axis.scatter(members[x], members[y], s=10, label=f"cluster {label}")
        axis.scatter(self.centroids[x], self.centroids[y], marker="x", color="black", s=80, label="centroids")
        axis.set(xlabel=x, ylabel=y, title="users by segment")
        axis.legend(fontsize=7)
        figure.tight_layout()
        written.append(folder / "segments.png")
        figure.savefig(written[-1], dpi=120)
        plt.close(figure)
        return written


def segment(
    data: pd.DataFrame, k: int | None = None, max_k: int = 20, seed: int = 0, progress: bool | None = None
) -> Segmentation:
    """Cosine k-means with K given or chosen at the elbow of the SSE curve (``progress``: see :func:`sse_curve`)."""
    numeric = data.select_dtypes("number")
    if numeric.shape[1] < 2 or len(numeric) < 2:
        raise DataError("data", numeric.shape, "need at least two numeric columns and two respondents")
    if not np.all(np.isfinite(numeric.to_numpy(dtype=float))):
        raise DataError("data", "a non-finite score", "every score must be a finite number")
    seed = require_integer("seed", seed, 0)
    if k is not None:
        k = require_integer("k", k, 1, len(numeric))
    curve = sse_curve(numeric, max_k, seed, progress)
    chosen = elbow(curve) if k is None else int(k)
    if not 1 <= chosen <= len(numeric):
        raise DataError("k", k, f"must lie in 1..{len(numeric)}")
    model = _kmeans(_unit_rows(numeric.to_numpy(dtype=float)), chosen, seed)
    labels = pd.Series(model.labels_, index=numeric.index, name="cluster")
    centroids = numeric.groupby(labels.to_numpy()).mean()
    centroids.index.name = "cluster"
    return Segmentation(k=chosen, labels=labels, centroids=centroids, curve=curve)


def agreement(found: Segmentation, truth: pd.Series) -> float:
    """Adjusted Rand index between the clusters and known types."""
    return float(adjusted_rand_score(truth.to_numpy(), found.labels.to_numpy()))
