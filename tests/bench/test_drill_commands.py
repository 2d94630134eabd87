"""The cluster and restart drills start `make load`'s scenario with options of their own; the
load's parser must know every one of them. The drills are not part of `make test` (they start
servers for minutes), so a renamed or dropped load option once went unseen until a drill ran
and its load exited at once (docs/deployment.md §7): this holds the commands the drills build
against the load's parser, with each drill's own default options."""

from pathlib import Path

import pytest

from bench import cluster, failover_drill, load, pooler_drill, replica_drill, restart_drill

DRILLS = {
    "pooler": lambda a: pooler_drill.load_options(a),
    "replica": lambda a: replica_drill.load_options(a),
    "failover": lambda a: failover_drill.load_options(a, Path("drill/kill-primary.sh")),
    "restart": lambda a: restart_drill.load_options(
        a,
        stop="pg_ctl stop",
        start="pg_ctl start",
        logs=[Path("drill/worker.log"), Path("drill/log")],
    ),
}
MODULES = {
    "pooler": pooler_drill,
    "replica": replica_drill,
    "failover": failover_drill,
    "restart": restart_drill,
}


@pytest.mark.parametrize("drill", sorted(DRILLS))
def test_every_option_a_drill_gives_the_load_is_one_it_knows(drill):
    args = MODULES[drill].parser().parse_args([])
    options = DRILLS[drill](args)
    command = cluster.load_command(options)
    assert command[1:3] == ["-m", "bench.load"]
    parsed = load.parser().parse_args(options)
    # Every drill runs on its own throw-away database, never on a copy of it.
    assert parsed.in_place


def test_an_option_the_load_does_not_know_stops_the_drill_at_once():
    with pytest.raises(SystemExit):
        cluster.load_command(["--restart-command", "kill"])
