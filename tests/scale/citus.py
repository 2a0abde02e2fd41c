"""A fresh database on the Citus cluster of ../shared/citus/cluster, migrated and distributed (SCALE-2).

The cluster script builds Citus once and starts a coordinator and two workers on 127.0.0.1. A new
database needs the extension on every node and the workers registered in it (Citus keeps its node
list per database); the roles are created from the coordinator's `citus` database, which has the
extension, so Citus creates them on the workers too.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = Path(os.environ.get("CITUS_CLUSTER") or ROOT.parent / "shared" / "citus" / "cluster")


def start() -> dict:
    """Starts the cluster (building Citus the first time) and returns the coordinator's parameters."""
    url = subprocess.run(["bash", str(CLUSTER), "start"], check=True, capture_output=True, text=True,
                         timeout=1200).stdout.strip().splitlines()[-1]
    parsed = urlparse(url)
    return {"NAME": parsed.path.lstrip("/"), "USER": parsed.username or "postgres", "PASSWORD": "",
            "HOST": parsed.hostname, "PORT": str(parsed.port)}


def fresh_database(coordinator: dict, name: str, owner: str) -> None:
    """`name` dropped and created on every node, with the extension, the workers registered in it."""
    from merchants.bootstrap import connect

    conn = connect(coordinator, coordinator["NAME"])
    with conn.cursor() as cursor:
        cursor.execute("SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0"
                       " ORDER BY nodeport")
        workers = cursor.fetchall()
    conn.close()
    nodes = [(coordinator["HOST"], coordinator["PORT"]), *workers]
    for host, port in nodes:
        params = {**coordinator, "HOST": host, "PORT": str(port)}
        conn = connect(params, "postgres")
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(owner)))
        conn.close()
        conn = connect(params, name)
        with conn.cursor() as cursor:
            cursor.execute("SET client_min_messages = warning")
            cursor.execute("CREATE EXTENSION citus")
        conn.close()
    conn = connect(coordinator, name)
    with conn.cursor() as cursor:
        cursor.execute("SELECT citus_set_coordinator_host(%s, %s)", [coordinator["HOST"], int(coordinator["PORT"])])
        for host, port in workers:
            cursor.execute("SELECT citus_add_node(%s, %s)", [host, port])
    conn.close()


def drop_database(coordinator: dict, name: str) -> None:
    from merchants.bootstrap import connect

    conn = connect(coordinator, coordinator["NAME"])
    with conn.cursor() as cursor:
        cursor.execute("SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' ORDER BY nodeport")
        nodes = cursor.fetchall()
    conn.close()
    for host, port in nodes:
        conn = connect({**coordinator, "HOST": host, "PORT": str(port)}, "postgres")
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.close()
