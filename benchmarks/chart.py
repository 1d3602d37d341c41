"""The bench's chart (PNG, matplotlib's Agg backend): throughputs as a share of the raw fan-out, latency
percentiles per offered load, and CPU per declaration per process."""

import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.observe import TIMED
from benchmarks.report import STACK, Round, cpu_phases, fan_outs, ratios, throughputs, unit
from benchmarks.stats import PERCENTILES

COLOURS = [plt.get_cmap("tab20")(n) for n in range(20)]
"""One colour per process group: there are more groups than the default cycle's ten."""


def draw(rounds: list[Round], path: Path) -> None:
    figure, (shares, latency, burn) = plt.subplots(1, 3, figsize=(18, 6))
    references = fan_outs(rounds)
    names, medians, lows, highs = [], [], [], []
    for name, values in throughputs(rounds).items():
        if unit(name) != "declarations":
            continue
        per_round = ratios(values, references)
        names.append(name)
        medians.append(statistics.median(per_round))
        lows.append(medians[-1] - min(per_round))
        highs.append(max(per_round) - medians[-1])
    shares.barh(names, medians, xerr=[lows, highs], color="tab:blue")
    shares.set_xscale("log")
    shares.set_xlabel("declarations/s over the raw fan-out of the same round (median, min-max)")
    shares.invert_yaxis()

    rates = list(rounds[0].loads)
    width = 0.8 / (len(TIMED) * len(PERCENTILES))
    for n, (code, p) in enumerate((code, p) for code in TIMED for p in PERCENTILES):
        values = [
            statistics.median(ranks[p].seconds for r in rounds if (ranks := r.loads[rate].latency.get(code)))
            if any(r.loads[rate].latency.get(code) for r in rounds)
            else 0.0
            for rate in rates
        ]
        latency.bar([i + n * width for i in range(len(rates))], values, width, label=f"p{p} to {code}")
    latency.set_xticks([i + 0.4 - width / 2 for i in range(len(rates))], [f"{r:,.0f}/s" for r in rates])
    latency.set_yscale("log")
    latency.set_ylabel("s from publish to receipt (reviewer excluded; unreached count as waited)")
    latency.legend(fontsize="small")

    phases = cpu_phases(rounds)
    bottom = [0.0] * len(phases)
    for group in (*STACK, "bench itself"):
        values = [
            statistics.median(p.cpu_ms.get(group, 0.0) for p in ps)
            if group != "bench itself" or name == "raw fan-out"
            else 0.0
            for name, ps in phases.items()
        ]
        burn.bar(list(phases), values, bottom=bottom, label=group, color=COLOURS[len(burn.patches) // len(phases)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    burn.set_ylim(0, max(bottom) * 1.08)  # the tallest stack would touch the frame, its top unreadable
    burn.set_ylabel("CPU ms per declaration")
    burn.tick_params(axis="x", rotation=30)
    burn.legend(fontsize="small")

    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
