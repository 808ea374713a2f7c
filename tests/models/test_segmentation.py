import numpy as np
import pandas as pd
import pytest

from evgames.data import DataError
from evgames.models import segmentation as sg


def test_recovers_the_four_generated_types():
    survey = sg.synthetic_survey(400, seed=0)
    found = sg.segment(survey.drop(columns="type"))
    assert found.k == 4  # the elbow
    assert sg.agreement(found, survey["type"]) >= 0.9
    assert found.curve.is_monotonic_decreasing or found.curve.diff().dropna().max() < 1e-6


def test_cosine_kmeans_ignores_scale():
    # two directions, each at many lengths: cosine clustering must split by direction only
    rng = np.random.default_rng(1)
    lengths = rng.uniform(0.1, 10, size=100)
    directions = np.array([[1.0, 0.1], [0.1, 1.0]])
    truth = np.arange(100) % 2
    data = pd.DataFrame(directions[truth] * lengths[:, None], columns=["a", "b"])
    found = sg.segment(data, k=2)
    assert sg.agreement(found, pd.Series(truth)) == pytest.approx(1.0)


def test_elbow_of_a_known_curve():
    assert sg.elbow(pd.Series([100, 40, 10, 9, 8, 7], index=range(1, 7))) == 3


def test_plots_are_written(tmp_path):
    survey = sg.synthetic_survey(120, seed=2)
    found = sg.segment(survey.drop(columns="type"), k=4, max_k=6)
    files = found.plot(survey.drop(columns="type"), tmp_path)
    assert [f.name for f in files] == ["sse_curve.png", "segments.png"]
    assert all(f.stat().st_size > 1000 for f in files)


def test_bad_input():
    with pytest.raises(DataError):
        sg.segment(pd.DataFrame({"a": [1.0, 2.0]}))


def test_kmeans_runs_on_one_thread_and_shows_the_elbow_on_request(monkeypatch, capsys):
    # Thread pools spinning against other processes made `segment` 30x slower on shared cores (issue #14).
    from threadpoolctl import threadpool_info

    pools = []
    fit = sg.KMeans.fit

    def recording_fit(self, *args, **kwargs):
        pools.append({pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()})
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(sg.KMeans, "fit", recording_fit)
    survey = sg.synthetic_survey(60, seed=1).drop(columns="type")
    sg.segment(survey, max_k=5, progress=True)
    assert len(pools) == 6 and all(set(threads.values()) <= {1} for threads in pools)  # 5 elbow fits + the final
    assert "k-means elbow" in capsys.readouterr().err
    sg.segment(survey, max_k=5)  # by default the bar shows only on a terminal
    assert capsys.readouterr().err == ""
