#!/usr/bin/env python3
"""The table of scripts/bench-cluster.sh, from its JSON lines (one per chat-bench run)."""
import json
import sys


def ms(x):
    return f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def commit_text(c):
    if not c or "commits" not in c:
        return "–"
    return (f"{c['commits']:,} commits of {c['messages_per_commit']:.1f}, "
            f"{c['commit_us_p50']:,} / {c['commit_us_p99']:,} µs")


def single(rows):
    print("\n## One node: PostgreSQL against SQLite (server and store on core 0, chat-bench on core 1)\n")
    print("| run | store | deliveries/s | msgs/s accepted | node CPU µs/msg | PostgreSQL CPU µs/msg "
          "| ack p50 / p99 ms | commits: count, msgs each, p50 / p99 time |")
    print("|---|---|--:|--:|--:|--:|--:|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['label']} | | {r['error']} | | | | | |")
            continue
        sent = r["sent"]
        print(f"| {r['label'].split('/')[0]} | {r['store']} | {r['deliveries_per_s']:,.0f} "
              f"| {sent / 5:,.0f} | {r['server_cpu_s'] * 1e6 / max(sent, 1):.1f} "
              f"| {r.get('cpu_s', {}).get('postgres', 0) * 1e6 / max(sent, 1):.1f} "
              f"| {ms(r['ack_p50_ms'])} / {ms(r['ack_p99_ms'])} | {commit_text(r)} |")
    pg = [r for r in rows if r.get("store") == "postgres" and r["label"].startswith("p-a")]
    lite = [r for r in rows if r.get("store") == "sqlite" and r["label"].startswith("p-a")]
    for p, s in zip(pg, lite):
        if "error" not in p and "error" not in s and s["deliveries_per_s"] > 0:
            print(f"\n(a) PostgreSQL ÷ SQLite, same round: "
                  f"{p['deliveries_per_s'] / s['deliveries_per_s']:.2f}")


def cluster(rows):
    print("\n## Three nodes behind nginx, 1,000 clients through nginx, 10 publishers\n")
    print("| run | msgs/s sent | deliveries/s | lost | p50 / p99 ms all | same node p50 / p99 "
          "| other node p50 / p99 | CPU s while sending (5 s): nodes, nginx, PostgreSQL "
          "| commits per node "
          "(msgs each) |")
    print("|---|--:|--:|--:|--:|--:|--:|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['label']} | {r['error']} | | | | | | | |")
            continue
        by = r.get("by_node", {})
        same = by.get("same-node", {})
        cross = by.get("cross-node", {})
        cpu = r.get("cpu_s", {})
        commits = ", ".join(f"{c.get('commits', 0):,} ({c.get('messages_per_commit', 0):.1f})"
                            for c in r.get("node_commits", []))
        print(f"| {r['label']} | {r['sent'] / 5:,.0f} | {r['deliveries_per_s']:,.0f} "
              f"| {r['lost']:,.0f} | {ms(r['latency_p50_ms'])} / {ms(r['latency_p99_ms'])} "
              f"| {ms(same.get('p50_ms', 0))} / {ms(same.get('p99_ms', 0))} "
              f"| {ms(cross.get('p50_ms', 0))} / {ms(cross.get('p99_ms', 0))} "
              f"| {cpu.get('nodes', 0):.2f}, {cpu.get('nginx', 0):.2f}, {cpu.get('postgres', 0):.2f} "
              f"| {commits} |")
    pairs = {}
    for r in rows:
        for pair, v in r.get("by_node", {}).items():
            if ">" in pair:
                pairs.setdefault(r["label"], []).append(
                    f"{pair} {ms(v['p50_ms'])}/{ms(v['p99_ms'])}")
    for label, text in pairs.items():
        print(f"\n{label}, per sender > receiver node, p50/p99 ms: " + ", ".join(sorted(text)))
    sweep = {}
    for r in rows:
        if r["label"].startswith("s-") and "error" not in r:
            sweep.setdefault(r["round"], []).append(r)
    for rnd, runs in sweep.items():
        ok = [r["sent"] / 5 for r in runs if r["latency_p99_ms"] <= 100 and r["lost"] == 0]
        print(f"\nround {rnd}: highest paced rate with p99 ≤ 100 ms and nothing lost: "
              f"{max(ok) if ok else 0:,.0f} messages/s")


def reader(rows):
    if not rows:
        return
    print("\n## Read amplification: a node without clients reading what another commits\n")
    print("| round | msgs/s committed | writer CPU µs/msg | reader CPU µs/msg | PostgreSQL CPU µs/msg |")
    print("|---|--:|--:|--:|--:|")
    for r in rows:
        if "error" in r:
            print(f"| {r.get('round')} | {r['error']} | | | |")
            continue
        cpu, sent = r.get("cpu_s", {}), max(r["sent"], 1)
        print(f"| {r['round']} | {sent / 5:,.0f} | {cpu.get('writer', 0) * 1e6 / sent:.1f} "
              f"| {cpu.get('reader', 0) * 1e6 / sent:.1f} | {cpu.get('postgres', 0) * 1e6 / sent:.1f} |")


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    single([r for r in rows if r["label"].startswith("p-")])
    cluster([r for r in rows if r["label"][:2] in ("n-", "s-")])
    reader([r for r in rows if r["label"].startswith("r-")])


main()
