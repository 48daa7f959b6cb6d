#!/usr/bin/python3
"""Hillstrom reference: the two-model XGBoost of depth 2 that issue 6's uplift target names.

A developer tool, not run in CI (CI has no Python). It needs Debian's packages
(`apt-get install python3-xgboost python3-sklearn python3-pandas`; bookworm ships xgboost 1.7.4)
and runs with /usr/bin/python3:

  /usr/bin/python3 libs/scoring-models/reference/hillstrom_xgboost_reference.py \
      --hillstrom ../shared/data/hillstrom.csv [--json /tmp/hillstrom-xgboost-reference.json]
  /usr/bin/python3 libs/scoring-models/reference/hillstrom_xgboost_reference.py \
      --hillstrom ../shared/data/hillstrom.csv --write-fixture \
      libs/scoring-models/src/gradient-boosting/fixtures/xgboost-hillstrom-fidelity.json

The split and encoding are those of hillstrom.ts: Mens E-Mail rows dropped, test rows those whose
0-based data-row index in the whole file is 0, 1 or 2 modulo 10; features recency, history, mens,
womens, newbie and zip_code / channel one-hot in hillstrom.ts's column order (history_segment
left out). The metrics follow scikit-uplift (uplift_at_k strategy "overall", qini_auc_score with
negative_effect=True), as libs/scoring-models/src/metrics/uplift-metrics.ts does.
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

TREATMENT = "Womens E-Mail"
CONTROL = "No E-Mail"
EXCLUDED = "Mens E-Mail"
ZIP_CODES = ["Surburban", "Rural", "Urban"]
CHANNELS = ["Phone", "Web", "Multichannel"]
NUMERIC = ["recency", "history", "mens", "womens", "newbie"]
FEATURES = NUMERIC + [f"zip_code={z}" for z in ZIP_CODES] + [f"channel={c}" for c in CHANNELS]
K = 0.3


def load_split(path):
    raw = pd.read_csv(path)
    raw["row"] = np.arange(len(raw))
    unknown = set(raw["segment"]) - {TREATMENT, CONTROL, EXCLUDED}
    if unknown:
        sys.exit(f"unknown segments {unknown}")
    data = raw[raw["segment"] != EXCLUDED].copy()
    columns = {name: data[name].astype(float) for name in NUMERIC}
    for z in ZIP_CODES:
        columns[f"zip_code={z}"] = (data["zip_code"] == z).astype(float)
    for c in CHANNELS:
        columns[f"channel={c}"] = (data["channel"] == c).astype(float)
    x = pd.DataFrame(columns)[FEATURES].to_numpy()
    if not np.all(x[:, 5:8].sum(axis=1) == 1) or not np.all(x[:, 8:11].sum(axis=1) == 1):
        sys.exit("a zip_code or channel value outside the known levels")
    y = data["visit"].to_numpy().astype(int)
    t = (data["segment"] == TREATMENT).to_numpy().astype(int)
    test = (data["row"] % 10 <= 2).to_numpy()
    return {"train": (x[~test], y[~test], t[~test]), "test": (x[test], y[test], t[test])}


def uplift_at_k(y, uplift, t, k):
    """scikit-uplift's uplift_at_k(strategy='overall')."""
    order = np.argsort(uplift, kind="mergesort")[::-1]
    size = int(len(y) * k)
    top_y, top_t = y[order][:size], t[order][:size]
    return top_y[top_t == 1].mean() - top_y[top_t == 0].mean()


def qini_curve(y, uplift, t):
    """scikit-uplift's qini_curve."""
    order = np.argsort(uplift, kind="mergesort")[::-1]
    y, uplift, t = y[order], uplift[order], t[order]
    y_control = np.where(t == 0, y, 0)
    y_treated = np.where(t == 1, y, 0)
    ends = np.r_[np.where(np.diff(uplift))[0], uplift.size - 1]
    treated = np.cumsum(t)[ends].astype(float)
    responses_treated = np.cumsum(y_treated)[ends]
    responses_control = np.cumsum(y_control)[ends]
    everyone = ends + 1
    control = everyone - treated
    values = responses_treated - responses_control * np.divide(treated, control, out=np.zeros_like(treated), where=control != 0)
    return np.r_[0, everyone], np.r_[0, values]


def qini_auc_score(y, uplift, t):
    """scikit-uplift's qini_auc_score(negative_effect=True)."""
    x_actual, y_actual = qini_curve(y, uplift, t)
    x_perfect, y_perfect = qini_curve(y, np.where(t == 1, y, -y).astype(float), t)
    baseline = x_perfect[-1] * y_perfect[-1] / 2
    return (np.trapz(y_actual, x_actual) - baseline) / (np.trapz(y_perfect, x_perfect) - baseline)


# Variants of "a two-model XGBoost of depth 2": XGBClassifier(max_depth=2) with every other
# parameter default is, in xgboost 1.7, tree_method 'auto' (exact greedy below 2^22 rows), eta 0.3,
# 100 rounds, base_score 0.5. xgboost 2.0 changed two defaults: tree_method 'hist', and base_score
# estimated from the labels, for the log loss by one Newton step from margin 0 (emulated here:
# margin 4(mean − 0.5), as gradient 0.5 − y and hessian 0.25 give); xgboost 3.0 (dmlc/xgboost#10298)
# estimates it as the labels' mean. Neither is run here: bookworm has 1.7.4 only.
# Learning rate 0.1 is what hillstrom-evaluation.ts's reference settings have always named.
VARIANTS = {
    "defaults (1.7: tree_method auto = exact, eta 0.3)": {},
    "tree_method=exact": {"tree_method": "exact"},
    "tree_method=hist (max_bin 256)": {"tree_method": "hist"},
    "tree_method=approx": {"tree_method": "approx"},
    "2.x defaults emulated (hist, base_score one Newton step)": {"tree_method": "hist", "base_score": "newton"},
    "3.x defaults emulated (hist, base_score = arm rate)": {"tree_method": "hist", "base_score": "arm rate"},
    "learning_rate=0.1 (auto = exact)": {"learning_rate": 0.1},
    "learning_rate=0.1, exact": {"tree_method": "exact", "learning_rate": 0.1},
    "learning_rate=0.1, hist": {"tree_method": "hist", "learning_rate": 0.1},
    "learning_rate=0.1, approx": {"tree_method": "approx", "learning_rate": 0.1},
    "learning_rate=0.1, 2.x emulated (hist, Newton base_score)": {"tree_method": "hist", "learning_rate": 0.1, "base_score": "newton"},
    "learning_rate=0.1, 3.x emulated (hist, base_score = arm rate)": {"tree_method": "hist", "learning_rate": 0.1, "base_score": "arm rate"},
}


def two_model_variant(split, extra):
    """One XGBClassifier(max_depth=2, **extra) per arm; base_score "arm rate" or "newton" stand for
    xgboost 3.x's and 2.x's intercepts estimated from each model's own labels."""
    x, y, t = split["train"]
    x_test = split["test"][0]
    predictions = {}
    for arm in (1, 0):
        params = {"max_depth": 2, **extra}
        rate = float(y[t == arm].mean())
        if params.get("base_score") == "arm rate":
            params["base_score"] = rate
        elif params.get("base_score") == "newton":
            params["base_score"] = float(1 / (1 + np.exp(-4 * (rate - 0.5))))
        model = xgb.XGBClassifier(**params).fit(x[t == arm], y[t == arm])
        predictions[arm] = model.predict_proba(x_test)[:, 1]
    return predictions[1] - predictions[0], predictions


def report(split):
    y, t = split["test"][1], split["test"][2]
    results = []
    for name, extra in VARIANTS.items():
        uplift, predictions = two_model_variant(split, extra)
        results.append({
            "variant": name,
            "params": {"max_depth": 2, **extra},
            "upliftAt30": float(uplift_at_k(y, uplift, t, K)),
            "qini": float(qini_auc_score(y, uplift, t)),
            "testProbabilities": {"treated": predictions[1].astype(float).tolist(), "control": predictions[0].astype(float).tolist()},
        })
    return results


def fixture(split, rows):
    """Training rows of the treated arm (the first `rows` of them) and a slice of test rows, with
    xgboost's own probabilities for three settings, for libs/scoring-models' fidelity test."""
    x, y, t = split["train"]
    x_fit, y_fit = x[t == 1][:rows], y[t == 1][:rows]
    x_held = split["test"][0][:rows]
    settings = {
        "exact-default": {"max_depth": 2, "tree_method": "exact"},
        "exact-lr-0.1-depth-3-mcw-5-lambda-3": {"max_depth": 3, "tree_method": "exact", "learning_rate": 0.1, "min_child_weight": 5, "reg_lambda": 3},
        "exact-base-score-0.2": {"max_depth": 2, "tree_method": "exact", "base_score": 0.2},
    }
    cases = []
    for name, params in settings.items():
        model = xgb.XGBClassifier(**params).fit(x_fit, y_fit)
        cases.append({
            "name": name,
            "params": params,
            "trainingProbabilities": model.predict_proba(x_fit)[:, 1].astype(float).tolist(),
            "heldOutProbabilities": model.predict_proba(x_held)[:, 1].astype(float).tolist(),
        })
    return {
        "generator": "libs/scoring-models/reference/hillstrom_xgboost_reference.py --write-fixture",
        "xgboostVersion": xgb.__version__,
        "featureNames": FEATURES,
        "training": {"values": x_fit.tolist(), "labels": y_fit.tolist()},
        "heldOut": {"values": x_held.tolist()},
        "cases": cases,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hillstrom", required=True)
    parser.add_argument("--json")
    parser.add_argument("--write-fixture")
    parser.add_argument("--fixture-rows", type=int, default=300)
    args = parser.parse_args()
    split = load_split(args.hillstrom)
    if args.write_fixture:
        with open(args.write_fixture, "w") as out:
            json.dump(fixture(split, args.fixture_rows), out)
            out.write("\n")
        print(f"wrote {args.write_fixture}")
        return
    x, y, t = split["train"]
    print(f"xgboost {xgb.__version__}; training {int(t.sum())} treated + {int((1 - t).sum())} control, test {int(split['test'][2].sum())} + {int((1 - split['test'][2]).sum())}")
    results = report(split)
    for r in results:
        print(f"  {r['variant']:<70} uplift@30% {r['upliftAt30']:.4f}  Qini {r['qini']:.4f}")
    if args.json:
        # With every test row's probabilities per arm: compare-hillstrom-with-xgboost.ts reads them.
        with open(args.json, "w") as out:
            json.dump({"xgboostVersion": xgb.__version__, "results": results}, out)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
